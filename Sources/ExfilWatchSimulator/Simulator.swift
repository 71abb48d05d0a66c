import ExfilWatchEvent

import Glibc

/// What a simulation wrote.
public struct SimulationReport: Sendable {
  /// The log files, one per simulated UTC day, in date order.
  public var files: [String]
  public var labelsPath: String
  /// Records written (CSV header rows not counted).
  public var events: Int
  /// Bytes of log text before and after compression.
  public var decompressedBytes: Int64
  public var compressedBytes: Int64
  public var labels: SimulationLabels
}

/// Simulates a contact centre's Salesforce org and writes its audit logs: normal traffic plus
/// the scenario's attack, as zstd files of one UTC day each, and `labels.json` naming the
/// attack.
///
/// Everything is generated in time order as it is written: every source of activity (each
/// agent, integration, analyst, attack) yields its records one at a time, an `EventMerger`
/// interleaves them, and the text is compressed as it is made. Memory is a record per source
/// and a 1 MiB text buffer, however many days are simulated. The output depends only on the
/// options (and the libzstd version, for the compressed bytes).
public final class Simulator {
  public let options: SimulationOptions

  public init(options: SimulationOptions) throws(SimulationError) {
    if let problem = options.problem { throw .invalidOptions(problem) }
    self.options = options
  }

  /// Writes the simulation into `directory` (created if missing; files of the same names are
  /// replaced).
  public func run(outputDirectory directory: String) throws(SimulationError) -> SimulationReport {
    try Self.makeDirectory(directory)
    let organisation = Organisation(options: options)
    var attacks = try organisation.stageAttacks()
    let merger = EventMerger(sources: Self.sources(organisation) + attacks.map(\.source))
    let writer: any RecordWriter =
      options.format == .salesforceRTEM
      ? RTEMRecordWriter(organisation: organisation) : ELFRecordWriter(organisation: organisation)
    let buffer = RecordBuffer(capacity: 1 << 20)
    let file = ZstdFileWriter()
    var files: [String] = []
    var day = -1
    var events = 0

    func flush() throws(SimulationError) {
      try file.write(buffer.bytes)
      buffer.removeAll()
    }
    func startNextDay() throws(SimulationError) {
      if day >= 0 {
        try flush()
        try file.close()
      }
      day += 1
      let date = CivilDate(daysSinceEpoch: options.firstDay + day)
      let path = directory + "/" + options.format.fileName(for: date)
      try file.open(path)
      files.append(path)
      writer.writeHeader(to: buffer)
    }

    while let event = merger.next() {
      guard event.time >= options.windowStart else { continue }
      guard event.time < options.windowEnd else { break }
      let eventDay = Int((event.time - options.windowStart) / Milliseconds.day)
      while day < eventDay { try startNextDay() }
      writer.write(event, to: buffer)
      events += 1
      if event.attack >= 0 { attacks[Int(event.attack)].label.add(event) }
      if !buffer.hasRoom { try flush() }
    }
    while day < options.days - 1 { try startNextDay() }
    try flush()
    try file.close()

    let labels = SimulationLabels(
      options: options, attacks: attacks.map(\.label), background: Self.background(organisation))
    let labelsPath = directory + "/labels.json"
    try Self.writeText(labels.json, to: labelsPath)
    return SimulationReport(
      files: files, labelsPath: labelsPath, events: events,
      decompressedBytes: file.decompressedBytes, compressedBytes: file.compressedBytes, labels: labels)
  }

  /// The normal traffic: every agent, the nightly integrations, the analysts, and (ELF only)
  /// Salesforce's internal calls.
  static func sources(_ organisation: Organisation) -> [any ActivitySource] {
    var sources: [any ActivitySource] = organisation.agents.indices.map {
      AgentActivity(organisation: organisation, agent: $0)
    }
    for (index, integration) in organisation.integrations.enumerated() {
      sources.append(integration.activity(organisation: organisation, index: index))
    }
    for analyst in organisation.analysts {
      sources.append(AnalystActivity(organisation: organisation, analyst: analyst))
    }
    if organisation.options.format == .salesforceELF {
      sources.append(InternalActivity(organisation: organisation))
    }
    return sources
  }

  private static func background(_ organisation: Organisation) -> BackgroundLabel {
    let calendar = organisation.calendar
    let days = organisation.options.firstDay..<organisation.options.firstDay + organisation.options.days
    return BackgroundLabel(
      surgeDays: calendar.surgeDays.map { CivilDate(daysSinceEpoch: $0) },
      surgeFactors: calendar.surgeFactors,
      monthEndExportDays: days.filter(WorkCalendar.isMonthEnd).map { CivilDate(daysSinceEpoch: $0) },
      integrationUsers: organisation.integrations.map { organisation.principal($0.principal).usernameText },
      analysts: organisation.analysts.map { organisation.principal($0.principal).usernameText })
  }

  /// `mkdir -p`.
  static func makeDirectory(_ path: String) throws(SimulationError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += component
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
        throw .cannotCreateDirectory(path: prefix, errno: errno)
      }
      prefix += "/"
    }
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
      throw .cannotCreateDirectory(path: path, errno: ENOTDIR)
    }
  }

  private static func writeText(_ text: String, to path: String) throws(SimulationError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .cannotCreate(path: path, errno: errno) }
    defer { close(descriptor) }
    var text = text
    let failure: Int32? = text.withUTF8 { bytes in
      var written = 0
      while written < bytes.count {
        let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
        if result < 0 && errno == EINTR { continue }
        if result <= 0 { return result < 0 ? errno : ENOSPC }
        written += result
      }
      return nil
    }
    if let failure { throw .cannotWrite(path: path, errno: failure) }
  }
}
