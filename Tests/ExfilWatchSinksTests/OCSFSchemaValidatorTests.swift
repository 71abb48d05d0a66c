import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import Testing

/// One deliberate break of a valid event, and the violation it must cause.
struct BrokenEvent: Sendable, CustomTestStringConvertible {
  var label: String
  var path: String
  var value: @Sendable () -> Any?
  var violationPath: String
  var violationText: String

  var testDescription: String { label }

  static let all: [BrokenEvent] = [
    BrokenEvent(label: "class_uid missing", path: "class_uid", value: { nil },
                violationPath: "class_uid", violationText: "required"),
    BrokenEvent(label: "class_uid a string", path: "class_uid", value: { "2004" },
                violationPath: "class_uid", violationText: "expected integer_t, got string"),
    BrokenEvent(label: "time a string", path: "time", value: { "1751663760000" },
                violationPath: "time", violationText: "expected timestamp_t (long_t), got string"),
    BrokenEvent(label: "count a float", path: "count", value: { 612.5 },
                violationPath: "count", violationText: "expected integer_t, got float"),
    BrokenEvent(label: "is_alert a string", path: "is_alert", value: { "true" },
                violationPath: "is_alert", violationText: "expected boolean_t, got string"),
    BrokenEvent(label: "unknown top-level attribute", path: "exfil_score", value: { 3 },
                violationPath: "exfil_score", violationText: "not defined in detection_finding"),
    BrokenEvent(label: "unknown nested attribute", path: "finding_info.colour", value: { "red" },
                violationPath: "finding_info.colour", violationText: "not defined in finding_info"),
    BrokenEvent(label: "severity_id not in its enum", path: "severity_id", value: { 7 },
                violationPath: "severity_id", violationText: "7 is not a value of severity_id"),
    BrokenEvent(label: "class_uid of no class", path: "class_uid", value: { 2005 },
                violationPath: "class_uid", violationText: "no class has uid 2005"),
    BrokenEvent(label: "analytic type_id not in its enum", path: "finding_info.analytic.type_id",
                value: { 42 }, violationPath: "finding_info.analytic.type_id",
                violationText: "not a value"),
    BrokenEvent(label: "caption that contradicts its id", path: "severity", value: { "Low" },
                violationPath: "severity_id", violationText: "not the caption 'High'"),
    BrokenEvent(label: "type_uid of another activity", path: "type_uid", value: { 200402 },
                violationPath: "type_uid", violationText: "class_uid × 100 + activity_id = 200401"),
    BrokenEvent(label: "nested required attribute missing", path: "finding_info.uid", value: { nil },
                violationPath: "finding_info.uid", violationText: "required"),
    BrokenEvent(label: "required attribute in an array element missing", path: "observables.0.type_id",
                value: { nil }, violationPath: "observables[0].type_id", violationText: "required"),
    BrokenEvent(label: "evidence with no artifact", path: "evidences.0", value: { [String: Any]() },
                violationPath: "evidences[0]", violationText: "needs at least one of actor"),
    BrokenEvent(label: "placeholder as an IP", path: "evidences.0.src_endpoint.ip", value: { "(other)" },
                violationPath: "evidences[0].src_endpoint.ip", violationText: "not a valid ip_t"),
    BrokenEvent(label: "array attribute as a single value", path: "finding_info.types",
                value: { "Bulk Read" }, violationPath: "finding_info.types",
                violationText: "expected an array"),
    BrokenEvent(label: "observation value a number",
                path: "anomaly_analyses.0.anomalies.0.observations.0.value",
                value: { 612_000 }, violationPath: "anomaly_analyses[0].anomalies[0].observations[0].value",
                violationText: "expected string_t, got integer"),
    BrokenEvent(label: "other schema version", path: "metadata.version", value: { "1.7.0" },
                violationPath: "metadata.version", violationText: "not the schema's version 1.8.0"),
    BrokenEvent(label: "observable naming nothing", path: "observables.0.name",
                value: { "evidences[0].actor.user.nickname" }, violationPath: "observables[0].name",
                violationText: "no 'nickname' in user"),
    BrokenEvent(label: "profile attribute without its profile", path: "cloud",
                value: { ["provider": "AWS"] }, violationPath: "cloud", violationText: "not defined"),
    BrokenEvent(label: "unknown profile", path: "metadata.profiles", value: { ["exfil"] },
                violationPath: "metadata.profiles[0]", violationText: "no profile is named 'exfil'"),
  ]
}

@Suite("OCSF schema validator (test support) accepts valid events and can fail")
struct OCSFSchemaValidatorTests {
  let validEvent: [String: Any]

  init() throws {
    validEvent = try decodedEvent(
      OCSFDetectionFindingEncoder(productVersion: "0.1.0").encode(SampleFindings.finding()))
  }

  @Test("the minimal event of ecosystem.md is valid")
  func minimalEvent() throws {
    let line = #"""
      {"class_uid":2004,"category_uid":2,"activity_id":1,"type_uid":200401,"severity_id":4,
       "time":1751663700000,
       "metadata":{"version":"1.8.0","product":{"name":"ExfilWatch","vendor_name":"ExfilWatch"}},
       "finding_info":{"uid":"exw-1f3a9c0e2b7d4e51"}}
      """#
    #expect(try bundledValidator.get().validate(jsonLine: Array(line.utf8)) == [])
  }

  @Test("a deliberately broken event is rejected at the right path", arguments: BrokenEvent.all)
  func rejects(broken: BrokenEvent) throws {
    var event = validEvent
    setValue(broken.value(), at: broken.path, in: &event)
    let violations = try bundledValidator.get().validate(event)
    #expect(
      violations.contains { $0.path == broken.violationPath && $0.message.contains(broken.violationText) },
      "\(violations)")
  }

  @Test("a profile's attribute is allowed once metadata.profiles lists the profile")
  func profileAttribute() throws {
    var event = validEvent
    setValue(["provider": "AWS", "region": "eu-west-1"], at: "cloud", in: &event)
    setValue(["cloud"], at: "metadata.profiles", in: &event)
    #expect(try bundledValidator.get().validate(event) == [])
  }

  @Test("anything goes under unmapped")
  func unmappedIsOpen() throws {
    var event = validEvent
    setValue(["nested": [1, "two", ["three": NSNull()]], "flag": true], at: "unmapped.other", in: &event)
    #expect(try bundledValidator.get().validate(event) == [])
  }

  @Test("text that is not a JSON object is one violation")
  func notJSON() throws {
    let violations = try bundledValidator.get().validate(jsonLine: Array("[1, 2]".utf8))
    #expect(violations == [OCSFViolation(path: "", message: "not a JSON object")])
  }
}
