import SystemPackage

/// Bytes read from an open file descriptor: a regular file, a pipe or standard input.
///
/// The descriptor is read with plain `read(2)` calls into the caller's buffer (no extra copy, no
/// Foundation); interrupted reads are retried. The source owns the descriptor it opened and
/// closes it when released; standard input is never closed.
public final class FileByteSource: ByteSource {
  public let name: String
  private let descriptor: FileDescriptor
  private let ownsDescriptor: Bool

  /// The number of bytes read so far: the byte position of the next read in the input.
  public private(set) var position: Int64 = 0
  /// Whether reaching the end checks that the file did not shrink meanwhile (an archive
  /// truncated while being read is an error, its lost part named). Not for files that are
  /// followed: there a writer truncating (copytruncate) is normal, and is handled by reading
  /// the file again from its start.
  public var detectsShrinking = false {
    didSet {
      // Only a regular file has a size to keep to: a pipe or a terminal says 0.
      let identity = detectsShrinking ? try? FileIdentity(descriptor: descriptor) : nil
      sizeWhenWatched = identity?.isRegularFile == true ? identity?.size : nil
    }
  }
  /// The file's size when `detectsShrinking` was set: reading must reach at least that far.
  private var sizeWhenWatched: Int64?

  /// Opens `path` for reading; `-` means standard input.
  ///
  /// - Throws: `SourceError` naming the path when it cannot be opened.
  public convenience init(path: String) throws(SourceError) {
    if path == "-" {
      self.init(standardInput: ())
      return
    }
    do {
      let descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
      self.init(name: path, descriptor: descriptor, ownsDescriptor: true)
    } catch {
      throw SourceError(name: path, operation: .open, errno: error as? Errno ?? .ioError)
    }
  }

  /// Reads standard input, named `<stdin>` in messages.
  public convenience init(standardInput: Void) {
    self.init(name: "<stdin>", descriptor: .standardInput, ownsDescriptor: false)
  }

  private init(name: String, descriptor: FileDescriptor, ownsDescriptor: Bool) {
    self.name = name
    self.descriptor = descriptor
    self.ownsDescriptor = ownsDescriptor
  }

  deinit {
    if ownsDescriptor {
      try? descriptor.close()
    }
  }

  /// Moves to `offset` from the start, to resume a file where an earlier run stopped.
  public func seek(to offset: Int64) throws(SourceError) {
    do {
      position = try descriptor.seek(offset: offset, from: .start)
    } catch {
      throw SourceError(name: name, operation: .seek, errno: error as? Errno ?? .ioError)
    }
  }

  /// What the open file is (not what its path names now): a run that stores a position must
  /// store it for this file, even if the path was rotated to another file meanwhile.
  public func identity() throws(SourceError) -> FileIdentity {
    do {
      return try FileIdentity(descriptor: descriptor)
    } catch {
      throw SourceError(name: name, operation: .stat, errno: error)
    }
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
    do {
      let count = try descriptor.read(into: buffer, retryOnInterrupt: true)
      position += Int64(count)
      if count == 0, let sizeWhenWatched, buffer.count > 0,
        let size = try? FileIdentity(descriptor: descriptor).size, size < max(position, sizeWhenWatched)
      {
        throw SourceError.shrank(name, position: position, size: size)
      }
      return count
    } catch let error as SourceError {
      throw error
    } catch {
      throw SourceError(name: name, operation: .read, errno: error as? Errno ?? .ioError)
    }
  }
}
