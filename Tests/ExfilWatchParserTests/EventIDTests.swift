import ExfilWatchEvent
import Testing

@Suite("EventID")
struct EventIDTests {
  @Test("ids up to 64 bytes keep their text, equality and hash", arguments: [
    "", "1", "0c58d779-57d5-402b-aa9a-c44a93a31c9c", String(repeating: "x", count: 64),
    String(repeating: "y", count: 62) + "é", "josé-ñ-😀",
  ])
  func roundTrip(text: String) {
    let id = EventID(text)
    #expect(id.description == text)
    #expect(id == EventID(text))
    #expect(id.hashValue == EventID(text).hashValue)
    #expect(id != EventID(text + "z"))
  }

  @Test("a longer id keeps its beginning, cut at a character, and a hash that tells it from others alike")
  func longIDs() {
    let base = String(repeating: "a", count: 43) + "é" + String(repeating: "b", count: 40)
    let id = EventID(base)
    #expect(id.description.utf8.count <= EventID.inlineCapacity)
    #expect(id.description.hasPrefix(String(repeating: "a", count: 43) + "…#"))
    #expect(id == EventID(base))
    #expect(id != EventID(base + "c"))
    #expect(EventID(base + "c").description.hasPrefix(String(repeating: "a", count: 43) + "…#"))
  }

  @Test("events and ids are plain bytes: copying one counts no reference")
  func plainBytes() {
    #expect(_isPOD(EventID.self))
    #expect(_isPOD(AccessEvent.self))
  }
}
