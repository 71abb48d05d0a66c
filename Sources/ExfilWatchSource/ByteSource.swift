/// A stream of raw (possibly compressed) bytes that the Decoder pulls from.
///
/// The pipeline starts here: everything downstream sees only bytes and the byte position they
/// came from, so a file, standard input and an in-memory buffer are decoded the same way.
/// A read that returns 0 means "nothing more for now", not "closed for ever": a followed file
/// that grows later is read again through the same source.
///
/// Sources are pulled once per large chunk (tens to hundreds of KiB), so calling through the
/// protocol costs nothing measurable; no per-record work happens here.
public protocol ByteSource: AnyObject {
  /// What to call this source in messages: a path as the user gave it, or `<stdin>`.
  var name: String { get }

  /// Reads up to `buffer.count` bytes into `buffer`.
  ///
  /// - Returns: the number of bytes read; 0 when no bytes are available now.
  /// - Throws: `SourceError` when the operating system refuses the read.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int
}
