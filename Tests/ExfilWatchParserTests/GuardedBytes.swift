import Glibc

/// Bytes placed so that they end exactly where an inaccessible page begins: a read one byte
/// past them crashes the test, where a read into an ordinary buffer would go unnoticed. For
/// the fast paths that compare words and look ahead (they must stop at the record's end).
final class GuardedBytes {
  private let mapping: UnsafeMutableRawPointer
  private let mappedLength: Int
  /// The bytes, ending at the guard page.
  let bytes: UnsafeRawBufferPointer

  init(_ content: [UInt8]) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let dataPages = (content.count + page - 1) / page + 1
    mappedLength = (dataPages + 1) * page
    mapping = mmap(nil, mappedLength, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
    precondition(mapping != MAP_FAILED, "mmap failed")
    let guardPage = mapping + dataPages * page
    precondition(mprotect(guardPage, page, PROT_NONE) == 0, "mprotect failed")
    let start = guardPage - content.count
    content.withUnsafeBytes { start.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(guardPage), byteCount: content.count) }
    bytes = UnsafeRawBufferPointer(start: start, count: content.count)
  }

  deinit {
    munmap(mapping, mappedLength)
  }
}
