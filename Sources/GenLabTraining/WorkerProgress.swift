import Foundation
import Glibc

/// What a worker tells the sweep that started it about its point: one JSON object per line
/// on a pipe (the worker's `--progress-fd`). When the pipe is gone (the sweep process died),
/// the worker stops with a checkpoint, as on Ctrl-C, so a rerun continues it.
public struct WorkerProgress: Codable, Equatable, Sendable {
    /// Steps done and in all.
    public var step: Int
    public var total: Int
    /// The epoch being trained (1-based) and the number of epochs.
    public var epoch: Int
    public var epochs: Int
    public var imagesPerSecond: Double
    /// The last step's losses.
    public var losses: [String: Float]

    /// Writes the message as one line to `descriptor`; a closed pipe (EPIPE) asks the run to
    /// stop, since nobody is watching it any more.
    func send(to descriptor: Int32) {
        guard var line = try? JSONEncoder().encode(self) else { return }
        line.append(UInt8(ascii: "\n"))
        let written = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, line.count) }
        if written < 0, errno == EPIPE { RunInterruption.request() }
    }

    /// Collects a worker's messages from the read end of its pipe.
    public final class Reader {
        private var pending: [UInt8] = []
        /// The latest complete message.
        public private(set) var latest: WorkerProgress?

        public init() {}

        /// Reads what `descriptor` (non-blocking) has; returns false at end of file.
        @discardableResult
        public func read(from descriptor: Int32) -> Bool {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count == 0 { return false }
                if count < 0 { return errno == EAGAIN || errno == EINTR }
                pending += buffer[..<count]
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Data(pending[..<newline])
                    pending.removeSubrange(...newline)
                    if let message = try? JSONDecoder().decode(WorkerProgress.self, from: line) { latest = message }
                }
            }
        }
    }
}
