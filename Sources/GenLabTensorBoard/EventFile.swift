import Foundation
import GenLabCore
import Glibc

/// Why an event file could not be written.
public enum EventFileProblem: Equatable, Sendable {
    /// The folder or the file could not be created.
    case create
    /// A write failed (full disk, file-size limit).
    case write
}

/// A failure of an event file, naming it.
public typealias EventFileError = FileError<EventFileProblem>

/// A TensorBoard event file, `events.out.tfevents.<seconds>.<host>.genlab`: TFRecords (a
/// little-endian uint64 length, its masked CRC-32C, the bytes, their masked CRC-32C) of
/// `Event` messages, the first saying `brain.Event:2`. Each record is written whole with one
/// `write`, so a killed process leaves a file TensorBoard reads up to its last whole record.
public final class EventFile {
    public let path: String
    private let descriptor: Int32

    /// Creates a new event file in `folder` (created if needed), stamped `wallTime`.
    public init(folder: String, wallTime: Double) throws(EventFileError) {
        // a planted link would send the events out of the results folder
        var status = stat()
        if lstat(folder, &status) == 0, status.st_mode & S_IFMT != S_IFDIR, let odd = PrivateFile.irregularity(folder) {
            throw EventFileError(.create, "the TensorBoard folder is \(odd)", path: folder)
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EventFileError(.create, "cannot create the TensorBoard folder: \(error.localizedDescription)", path: folder)
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        path = (folder as NSString).appendingPathComponent("events.out.tfevents.\(Int(wallTime)).\(String(cString: host)).\(getpid()).genlab")
        descriptor = PrivateFile.create(path)
        guard descriptor >= 0 else {
            throw EventFileError(.create, "cannot create the event file: \(PrivateFile.reason())", path: path)
        }
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.string(3, "brain.Event:2")
        try append(event)
    }

    deinit { close(descriptor) }

    /// An `Event` of `step` at `wallTime` with a summary of scalar values (`Summary.Value`:
    /// tag and `simple_value`).
    public func scalars(step: Int, wallTime: Double, _ values: [(tag: String, value: Float)]) throws(EventFileError) {
        var summary = ProtobufWriter()
        for (tag, value) in values {
            var entry = ProtobufWriter()
            entry.string(1, tag)
            entry.float(2, value)
            summary.message(1, entry)
        }
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.integer(2, Int64(step))
        event.message(5, summary)
        try append(event)
    }

    /// Writes one record: length, its masked CRC, the event, its masked CRC.
    func append(_ event: ProtobufWriter) throws(EventFileError) {
        var record: [UInt8] = []
        withUnsafeBytes(of: UInt64(event.bytes.count).littleEndian) { record += $0 }
        let lengthCRC = CRC32C.masked(record)
        withUnsafeBytes(of: lengthCRC.littleEndian) { record += $0 }
        record += event.bytes
        withUnsafeBytes(of: CRC32C.masked(event.bytes).littleEndian) { record += $0 }
        let written = record.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == record.count else {
            throw EventFileError(.write, "cannot write to the event file: \(written < 0 ? PrivateFile.reason() : "short write")", path: path)
        }
    }
}
