import ExfilWatchEvent

/// One value of one dimension in one tenant: what a baseline is kept for. Combinations hold
/// up to three values; unused ones are `.none`. The tenant (org) is part of every key, so two
/// orgs' `j.smith` are two keys in one run.
struct DetectorKey: Hashable, Codable {
  var dimension: UInt8
  var tenant: Symbol
  var first: Symbol
  var second: Symbol = .none
  var third: Symbol = .none

  /// The event's key in `dimension`, or nil when the event lacks one of its fields.
  @inline(__always)
  init?(event: AccessEvent, dimension index: Int, fields: [EventField]) {
    dimension = UInt8(index)
    tenant = event.tenant
    first = fields[0].value(of: event)
    if first.isNone { return nil }
    if fields.count > 1 {
      second = fields[1].value(of: event)
      if second.isNone { return nil }
    }
    if fields.count > 2 {
      third = fields[2].value(of: event)
      if third.isNone { return nil }
    }
  }

  init(dimension: UInt8, tenant: Symbol, first: Symbol) {
    self.dimension = dimension
    self.tenant = tenant
    self.first = first
  }

  /// The values joined with `+`, as findings show them.
  func text(_ symbols: SymbolTable) -> String {
    [first, second, third].filter { !$0.isNone }.map { symbols.string($0) ?? "" }.joined(separator: "+")
  }
}
