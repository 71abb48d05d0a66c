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

  /// The fields of a dimension as plain values, for the per-event loop: reaching each
  /// `Dimension`'s array of fields retained and released it, three times per event.
  struct Fields {
    let first: EventField
    let second: EventField?
    let third: EventField?

    init(_ dimension: Dimension) {
      first = dimension.fields[0]
      second = dimension.fields.count > 1 ? dimension.fields[1] : nil
      third = dimension.fields.count > 2 ? dimension.fields[2] : nil
    }
  }

  /// The event's key in `dimension`, or nil when the event lacks one of its fields.
  @inline(__always)
  init?(event: AccessEvent, dimension index: Int, fields: Fields) {
    dimension = UInt8(index)
    tenant = event.tenant
    first = fields.first.value(of: event)
    if first.isNone { return nil }
    if let field = fields.second {
      second = field.value(of: event)
      if second.isNone { return nil }
    }
    if let field = fields.third {
      third = field.value(of: event)
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
