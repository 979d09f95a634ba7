import Foundation
import GenLabCore
import Glibc

/// A point's `tensorboard/` folder and the event files GenLab wrote there
/// (`events.out.tfevents.<seconds>.<host>.<pid>.genlab`; other files are left alone).
public struct EventFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// GenLab's event files in the folder, in the order TensorBoard reads them (by name).
    public var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasPrefix("events.out.tfevents.") && $0.hasSuffix(".genlab") }.sorted().map { "\(path)/\($0)" }
    }

    /// Whether the folder holds event files of any writer.
    public var hasEvents: Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).contains { $0.hasPrefix("events.out.tfevents.") }
    }

    /// The seconds a new event file is named by: `wallTime`, or one more than the latest
    /// file's, so that the new file sorts last (TensorBoard reads a run's files in name
    /// order, and drops values whose step goes back).
    func nextStamp(after wallTime: Double) -> Int {
        let stamps = files.compactMap { path in (path as NSString).lastPathComponent.split(separator: ".").dropFirst(3).first.flatMap { Int($0) } }
        return max(Int(wallTime), (stamps.max() ?? -1) + 1)
    }

    /// Removes GenLab's event files (their run file is gone: the point starts again).
    func removeFiles() {
        for file in files { unlink(file) }
    }

    /// The last step of an event with a summary in GenLab's event files, reading every whole
    /// record (a record cut short by a killed writer ends its file); nil when none has one.
    public var lastStep: Int? {
        var last: Int?
        for file in files {
            EventFolder.forEachEvent(in: file) { event in
                var reader = ProtobufReader(event[...])
                var step: Int64 = 0, summary = false
                while let field = reader.next() {
                    switch (field.number, field.value) {
                    case (2, .varint(let value)): step = Int64(bitPattern: value)
                    case (5, .bytes): summary = true
                    default: break
                    }
                }
                if summary { last = max(last ?? Int.min, Int(step)) }
            }
        }
        return last
    }

    /// Larger than any record GenLab writes (a grid of images is a few MB as a PNG).
    private static let maxRecord = 64 << 20

    /// Calls `body` with every whole record of the event file at `path` whose checksums hold,
    /// stopping at the first that is cut short or damaged (a length past the file's end is
    /// never allocated).
    static func forEachEvent(in path: String, _ body: ([UInt8]) -> Void) {
        let descriptor = PrivateFile.openRegular(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return }
        var left = UInt64(max(status.st_size, 0))
        func read(_ count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count), done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + done, count - done) }
                guard n > 0 else { return nil }
                done += n
            }
            return bytes
        }
        func word<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, _: T.Type) -> T {
            bytes.reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        while left >= 16, let header = read(12) {
            let length = word(header[0..<8], UInt64.self)
            guard word(header[8..<12], UInt32.self) == CRC32C.masked(header[0..<8]), length <= UInt64(maxRecord), length <= left - 16,
                  let event = read(Int(length)), let check = read(4),
                  word(check[...], UInt32.self) == CRC32C.masked(event) else { return }
            left -= 16 + length
            body(event)
        }
    }
}
