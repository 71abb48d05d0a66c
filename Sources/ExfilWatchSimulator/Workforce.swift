/// A contact-centre site: where agents sit, their time zone, shifts and office address.
struct Site {
  let name: String
  /// Local time minus UTC (no daylight saving: the simulated month does not cross a change).
  let utcOffsetMinutes: Int
  /// Offices reach Salesforce through a few NAT addresses shared by everyone there.
  let officeIPs: [String]
  /// Local shift starts (minutes after midnight) and the share of the site's agents on each.
  let shiftStarts: [(minute: Int, share: Double)]
  let surnames: [String]
  let share: Double

  /// Manila serves Asia-Pacific by day and the Americas overnight; Dallas and Krakow cover
  /// their own regions, so some agent is working at every hour of the UTC day, and the busiest
  /// hours are where several sites' day shifts overlap.
  static let all: [Site] = [
    Site(
      name: "Manila", utcOffsetMinutes: 480, officeIPs: ["203.0.113.10", "203.0.113.11", "203.0.113.12"],
      shiftStarts: [(7 * 60, 0.45), (12 * 60, 0.25), (22 * 60, 0.30)],
      surnames: """
        nguyen santos reyes cruz bautista ocampo garcia mendoza torres tomas andres castillo \
        flores villanueva ramos aquino navarro gonzales lopez fernandez rivera morales domingo \
        santiago manalo pascual salazar diaz mercado soriano lim tan chua dizon velasco aguilar \
        delrosario valdez tolentino sison
        """.split(separator: " ").map(String.init),
      share: 0.60),
    Site(
      name: "Dallas", utcOffsetMinutes: -300, officeIPs: ["203.0.113.20", "203.0.113.21"],
      shiftStarts: [(7 * 60, 0.40), (10 * 60, 0.35), (13 * 60, 0.25)],
      surnames: """
        smith johnson williams brown jones miller davis wilson anderson taylor thomas moore \
        martin jackson thompson white harris clark lewis robinson walker young allen king
        """.split(separator: " ").map(String.init),
      share: 0.25),
    Site(
      name: "Krakow", utcOffsetMinutes: 120, officeIPs: ["203.0.113.30"],
      shiftStarts: [(8 * 60, 0.60), (12 * 60, 0.40)],
      surnames: """
        nowak kowalski wisniewski wojcik kowalczyk kaminski lewandowski zielinski szymanski \
        wozniak dabrowski kozlowski jankowski mazur kwiatkowski krawczyk
        """.split(separator: " ").map(String.init),
      share: 0.15),
  ]
}

/// One agent's habits: these make agents differ from each other, and each stays the same
/// from day to day, so every agent has a baseline of its own.
struct AgentProfile {
  let index: Int
  /// Index of the agent's principal (user, console, address).
  let principal: Int32
  let site: Int
  /// Local minute the agent's shift starts, and its length.
  let shiftStartMinute: Int
  let shiftMinutes: Int
  /// Two consecutive weekdays off (0 = Monday): most agents have the weekend off.
  let daysOff: (Int, Int)
  /// How many callers the agent handles relative to a typical agent (log-normal: a few agents
  /// handle far more than most).
  let pace: Double
  /// Mean rows of the agent's contact searches, and how often a call leads to a case or
  /// account lookup or is searched by phone number rather than surname.
  let contactRowsMean: Double
  let caseLookupChance: Double
  let accountLookupChance: Double
  let phoneSearchChance: Double
  /// Team leads also work an escalation queue (list queries of 20-200 rows).
  let isTeamLead: Bool

  /// Records on a typical full shift, for picking victims by how busy they are (the attacks
  /// measure the victim's real history instead).
  var typicalDailyRecords: Double {
    let calls = Double(shiftMinutes - 45) / (AgentActivity.meanMinutesBetweenCalls / pace + 0.33)
    let perCall = contactRowsMean + caseLookupChance * 6.5 + accountLookupChance * 2
    return calls * perCall + (isTeamLead ? calls * AgentActivity.escalationChance * 110 : 0)
  }

  /// Builds agent `index`: its site, shift, habits and network address.
  static func make(
    index: Int, random: inout SimulationRandom, usernames: inout Set<String>,
    userIDs: inout Set<[UInt8]>, principals: inout [Principal]
  ) -> AgentProfile {
    let site = pickSite(random.unit())
    let place = Site.all[site]
    // Initial and surname; a number only when the pair is taken (a.santos2).
    var username = ""
    var attempt = 0
    repeat {
      let initial = Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(random.int(0...25))))
      let surname = random.element(of: place.surnames)
      let suffix = attempt < 8 ? "" : String(random.int(2...(attempt < 16 ? 9 : 9999)))
      username = "\(initial).\(surname)\(suffix)@contact.example-air.com"
      attempt += 1
    } while !usernames.insert(username).inserted
    let worksFromHome = random.chance(0.15)
    let address =
      worksFromHome ? "203.0.113.\(random.int(64...254))" : random.element(of: place.officeIPs)
    let userID = uniqueID(prefix: "005", random: &random, taken: &userIDs)
    principals.append(Principal(username: username, userID: userID, sourceIP: address, client: .console))

    var shiftPick = random.unit()
    var shiftStart = place.shiftStarts[0].minute
    for option in place.shiftStarts {
      shiftStart = option.minute
      shiftPick -= option.share
      if shiftPick < 0 { break }
    }
    // 55% have Saturday and Sunday off; the rest another consecutive pair, so weekends are
    // staffed at about 40% of weekdays.
    let firstOff = random.chance(0.55) ? 5 : [6, 0, 1, 2, 3, 4][random.int(0...5)]
    return AgentProfile(
      index: index, principal: Int32(principals.count - 1), site: site,
      shiftStartMinute: shiftStart, shiftMinutes: 480 + 15 * random.int(0...4),
      daysOff: (firstOff, (firstOff + 1) % 7),
      pace: min(4.0, max(0.3, random.logNormal(median: 1.0, sigma: 0.45))),
      contactRowsMean: random.double(3...10),
      caseLookupChance: random.double(0.5...0.85),
      accountLookupChance: random.double(0.1...0.4),
      phoneSearchChance: random.double(0.4...0.8),
      isTeamLead: random.chance(0.05))
  }

  private static func pickSite(_ draw: Double) -> Int {
    var rest = draw
    for (index, site) in Site.all.enumerated() {
      rest -= site.share
      if rest < 0 { return index }
    }
    return Site.all.count - 1
  }

  /// A user id not used by anyone else, so an actor id names one person.
  static func uniqueID(prefix: StaticString, random: inout SimulationRandom, taken: inout Set<[UInt8]>)
    -> [UInt8]
  {
    while true {
      let id = Identifiers.salesforceID(prefix: prefix, random: &random)
      if taken.insert(id).inserted { return id }
    }
  }
}
