/// Someone or something the logs name, as they appear in every record they make: the user,
/// the network address, and the API client or connected app they go through. An attacker
/// using an agent's token is a separate principal with the agent's user and its own client
/// and address. A class, so a record takes one reference to it, not one per field.
final class Principal {
  let username: [UInt8]
  /// 18-character user id (`UserId`, `USER_ID_DERIVED`); ELF's `USER_ID` is its first 15.
  let userID: [UInt8]
  /// `SourceIp` / `CLIENT_IP`.
  let sourceIP: [UInt8]
  let client: ClientProfile

  init(username: String, userID: [UInt8], sourceIP: String, client: ClientProfile) {
    self.username = Array(username.utf8)
    self.userID = userID
    self.sourceIP = Array(sourceIP.utf8)
    self.client = client
  }

  var usernameText: String { String(decoding: username, as: UTF8.self) }
  var userIDText: String { String(decoding: userID, as: UTF8.self) }
  var sourceIPText: String { String(decoding: sourceIP, as: UTF8.self) }
}

/// How an API client identifies itself in the logs.
struct ClientProfile {
  /// ApiEvent `ApiType` (`SOAP Partner`) and its ELF `API_TYPE` letter (`P`).
  var apiType: [UInt8]
  var elfAPIType: [UInt8]
  /// `ApiVersion` as written (`64.0`).
  var apiVersion: [UInt8]
  var application: [UInt8]
  /// ApiEvent `Client` and ELF `CLIENT_NAME` (from the `Sforce-Call-Options` header).
  var clientName: [UInt8]
  /// ApiEvent `ConnectedAppId` (`0H4…`); nil is JSON `null` (the console uses a session the
  /// user already had, so no OAuth flow and no app id).
  var connectedAppID: [UInt8]?
  var userAgent: [UInt8]

  init(
    apiType: String, apiVersion: String, application: String, clientName: String,
    connectedAppID: [UInt8]?, userAgent: String
  ) {
    self.apiType = Array(apiType.utf8)
    elfAPIType = Array((apiType == "SOAP Enterprise" ? "E" : "P").utf8)
    self.apiVersion = Array(apiVersion.utf8)
    self.application = Array(application.utf8)
    self.clientName = Array(clientName.utf8)
    self.connectedAppID = connectedAppID
    self.userAgent = Array(userAgent.utf8)
  }

  /// What the project's parser reports as the event's `client`: in RTEM the `ConnectedAppId`,
  /// else `Client`; in ELF (whose API file has no app id column) `CLIENT_NAME`.
  func parsedClient(in format: SimulationFormat) -> String {
    if format == .salesforceRTEM, let connectedAppID {
      return String(decoding: connectedAppID, as: UTF8.self)
    }
    return String(decoding: clientName, as: UTF8.self)
  }

  static let chrome =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    + "Chrome/137.0.0.0 Safari/537.36"

  /// The contact-centre console's CTI component, as in SampleLogs.
  static let console = ClientProfile(
    apiType: "SOAP Partner", apiVersion: "64.0", application: "Contact Centre Console",
    clientName: "vendor/cti_console", connectedAppID: nil, userAgent: chrome)

  /// Analysts run reports in Lightning; their records are ReportEvents, which carry no app.
  static let lightning = ClientProfile(
    apiType: "SOAP Partner", apiVersion: "64.0", application: "Lightning",
    clientName: "", connectedAppID: nil, userAgent: chrome)

  /// Salesforce's own calls, logged only in ELF (`SfdcInternalAPI/`, API version 9998.0).
  static let salesforceInternal = ClientProfile(
    apiType: "SOAP Enterprise", apiVersion: "9998.0", application: "", clientName: "SfdcInternalAPI/",
    connectedAppID: nil, userAgent: "")

  /// The look-alike Data Loader of the 2025 campaign.
  static func dataLoader(appID: [UInt8]) -> ClientProfile {
    ClientProfile(
      apiType: "SOAP Partner", apiVersion: "62.0", application: "Data Loader",
      clientName: "DataLoaderPartnerUI/62.0.0", connectedAppID: appID,
      userAgent: "python-requests/2.32.4")
  }

  /// A "reporting connector" app whose stolen tokens are used one by one (UNC6395's style).
  static func reportingConnector(appID: [UInt8]) -> ClientProfile {
    ClientProfile(
      apiType: "SOAP Partner", apiVersion: "61.0", application: "Ticket Portal",
      clientName: "Salesforce-Multi-Org-Reporting-Connector/1.0", connectedAppID: appID,
      userAgent: "Python/3.11 aiohttp/3.12.15")
  }

  static func integration(name: String, clientName: String, appID: [UInt8], userAgent: String)
    -> ClientProfile
  {
    ClientProfile(
      apiType: "SOAP Enterprise", apiVersion: "64.0", application: name, clientName: clientName,
      connectedAppID: appID, userAgent: userAgent)
  }
}
