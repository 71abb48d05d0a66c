/// Surnames callers are searched by (`LastName = 'Santos'`): every site's, capitalised.
enum CallerNames {
  static let surnames: [[UInt8]] = Site.all.flatMap(\.surnames).map { name in
    Array(name.prefix(1).uppercased().utf8) + Array(name.dropFirst().utf8)
  }
}

extension RecordBuffer {
  /// Appends the SOQL text of `query`. The texts have no `"` or `\`, so they go into JSON and
  /// quoted CSV fields as they are.
  func appendQuery(_ query: QueryText) {
    switch query {
    case .contactByPhone(let digits):
      append("SELECT Id, Name, Email, Phone, Birthdate, Frequent_Flyer_Number__c ")
      append("FROM Contact WHERE Phone LIKE '%")
      appendPadded(digits, width: 4)
      append("' LIMIT 50")
    case .contactByName(let surname):
      append("SELECT Id, Name, Email, Phone, Birthdate, Frequent_Flyer_Number__c ")
      append("FROM Contact WHERE LastName = '")
      append(CallerNames.surnames[surname])
      append("' LIMIT 50")
    case .casesOfContact(let seed):
      append("SELECT Id, CaseNumber, Subject, Status, CreatedDate FROM Case WHERE ContactId = '")
      appendID(prefix: "003", seed: seed)
      append("' ORDER BY CreatedDate DESC LIMIT 20")
    case .accountByID(let seed):
      append("SELECT Id, Name, Loyalty_Tier__c FROM Account WHERE Id = '")
      appendID(prefix: "001", seed: seed)
      append("'")
    case .escalatedCases(let seed):
      append("SELECT Id, CaseNumber, Subject, Status, Priority, ContactId ")
      append("FROM Case WHERE Status = 'Escalated' AND OwnerId = '")
      appendID(prefix: "00G", seed: seed)
      append("' ORDER BY LastModifiedDate DESC LIMIT 200")
    case .integrationDelta(let entity, let since, let variant):
      appendIntegrationDelta(entity, since: since, variant: variant)
    case .count(let entity):
      append("SELECT COUNT() FROM ")
      append(entity.name)
    case .fullExport(let entity, let limit):
      appendExportColumns(entity)
      if let limit {
        append(" LIMIT ")
        appendDecimal(limit)
      }
    case .surnamePrefix(let entity, let prefix, let limit):
      appendExportColumns(entity)
      switch entity {
      case .account: append(" WHERE Name LIKE '")
      case .supportCase: append(" WHERE Contact.LastName LIKE '")
      default: append(" WHERE LastName LIKE '")
      }
      append(UInt8(ascii: "A") + UInt8(prefix / 26 % 26))
      append(UInt8(ascii: "a") + UInt8(prefix % 26))
      append("%' LIMIT ")
      appendDecimal(limit)
    case .postalCode(let code):
      append("SELECT Id, FirstName, LastName, Email, Phone, Birthdate, Frequent_Flyer_Number__c ")
      append("FROM Contact WHERE MailingPostalCode = '")
      appendPadded(code, width: 5)
      append("' LIMIT 50")
    case .none, .report:
      break
    }
  }

  /// The columns the 2025 attackers pulled (SampleLogs' attack queries).
  private func appendExportColumns(_ entity: Entity) {
    switch entity {
    case .contact:
      append("SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, Birthdate, MailingAddress, ")
      append("Frequent_Flyer_Number__c ")
      append("FROM Contact")
    case .account:
      append("SELECT Id, Name, PersonEmail, Phone, Loyalty_Tier__c FROM Account")
    case .supportCase:
      append("SELECT Id, CaseNumber, ContactId, Subject, Description, Status FROM Case")
    case .organization:
      append("SELECT Id, Name FROM Organization")
    }
  }

  private func appendIntegrationDelta(_ entity: Entity, since: Int64, variant: Int) {
    let stamp: StaticString = variant == 0 ? "LastModifiedDate" : "SystemModstamp"
    switch (entity, variant) {
    case (.contact, 0):
      append("SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, Birthdate, ")
      append("Frequent_Flyer_Number__c, LastModifiedDate ")
      append("FROM Contact")
    case (.contact, _):
      append("SELECT Id, AccountId, Email, MailingCountry, Frequent_Flyer_Number__c, SystemModstamp ")
      append("FROM Contact")
    case (.account, _):
      append("SELECT Id, Name, PersonEmail, Phone, Loyalty_Tier__c, LastModifiedDate FROM Account")
    case (.supportCase, 0):
      append("SELECT Id, CaseNumber, ContactId, Subject, Status, Origin, Priority, LastModifiedDate ")
      append("FROM Case")
    case (.supportCase, _):
      append("SELECT Id, CaseNumber, Status, Origin, Priority, CreatedDate, ClosedDate, SystemModstamp ")
      append("FROM Case")
    case (.organization, _):
      append("SELECT Id, Name, LastModifiedDate FROM Organization")
    }
    append(" WHERE ")
    append(stamp)
    append(" >= ")
    var dates = DateDigitsCache()
    appendDate(day: since / Milliseconds.day, dates: &dates)
    append(UInt8(ascii: "T"))
    let timeOfDay = Int(since % Milliseconds.day)
    appendPadded(timeOfDay / 3_600_000, width: 2)
    append(UInt8(ascii: ":"))
    appendPadded(timeOfDay / 60_000 % 60, width: 2)
    append(":00Z ORDER BY ")
    append(stamp)
    append(" ASC")
  }

  /// A record id made from `seed`, so the same query value always names the same record.
  private func appendID(prefix: StaticString, seed: UInt64) {
    var random = SimulationRandom(noise: seed)
    Identifiers.appendSalesforceID(prefix: prefix, random: &random, to: self)
  }
}
