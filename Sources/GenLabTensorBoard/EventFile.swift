import Foundation
import GenLabCore
import Glibc

/// Why an event file could not be written.
public enum EventFileProblem: Equatable, Sendable {
    /// The folder or the file could not be created.
    case create
    /// A write failed (full disk, file-size limit).
    case write
    /// What the run file holds could not be turned into events (samples that are no images,
    /// unreadable analyses).
    case content
}

/// A failure of an event file, naming it.
public typealias EventFileError = FileError<EventFileProblem>

/// A TensorBoard event file, `events.out.tfevents.<seconds>.<host>.<pid>.genlab`: TFRecords
/// (a little-endian uint64 length, its masked CRC-32C, the bytes, their masked CRC-32C) of
/// `Event` messages, the first saying `brain.Event:2`. Each event is written whole, straight to
/// the file (nothing buffered: TensorBoard sees it at once); a killed process or a full disk
/// leaves a file TensorBoard reads up to its last whole record.
public final class EventFile {
    public let path: String
    private let descriptor: Int32

    /// Creates a new event file in `folder` (created if needed), stamped `wallTime` and named
    /// to sort after the folder's other event files.
    public init(folder: EventFolder, wallTime: Double) throws(EventFileError) {
        // a planted link would send the events out of the results folder
        var status = stat()
        if lstat(folder.path, &status) == 0, status.st_mode & S_IFMT != S_IFDIR, let odd = PrivateFile.irregularity(folder.path) {
            throw EventFileError(.create, "the TensorBoard folder is \(odd)", path: folder.path)
        }
        do {
            try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        } catch {
            throw EventFileError(.create, "cannot create the TensorBoard folder: \(error.localizedDescription)", path: folder.path)
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        path = "\(folder.path)/events.out.tfevents.\(folder.nextStamp(after: wallTime)).\(String(cString: host)).\(getpid()).genlab"
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

    /// An `Event` of `step` at `wallTime` whose summary holds `values`.
    public func write(step: Int, wallTime: Double, _ values: [SummaryValue]) throws(EventFileError) {
        var summary = ProtobufWriter()
        for value in values { summary.message(1, value.encoded) }
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.integer(2, Int64(step))
        event.message(5, summary)
        try append(event)
    }

    /// A `SessionLog` START at `step`: TensorBoard drops the values it read at `step` and after
    /// (a run restarted from an earlier step).
    public func restart(step: Int, wallTime: Double) throws(EventFileError) {
        var log = ProtobufWriter()
        log.integer(1, 1)
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.integer(2, Int64(step))
        event.message(7, log)
        try append(event)
    }

    /// Writes one record: length, its masked CRC, the event, its masked CRC.
    private func append(_ event: ProtobufWriter) throws(EventFileError) {
        var record: [UInt8] = []
        record.reserveCapacity(event.bytes.count + 16)
        withUnsafeBytes(of: UInt64(event.bytes.count).littleEndian) { record += $0 }
        let lengthCRC = CRC32C.masked(record)
        withUnsafeBytes(of: lengthCRC.littleEndian) { record += $0 }
        record += event.bytes
        withUnsafeBytes(of: CRC32C.masked(event.bytes).littleEndian) { record += $0 }
        // a short write (a disk filling up) goes on with the rest, which then says why it fails
        var done = 0
        while done < record.count {
            let written = record.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, $0.count - done) }
            guard written > 0 else {
                throw EventFileError(.write, "cannot write to the event file: \(written < 0 ? PrivateFile.reason() : "nothing written")", path: path)
            }
            done += written
        }
    }
}
