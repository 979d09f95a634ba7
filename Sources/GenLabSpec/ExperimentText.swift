import GenLabNN
import Foundation
import Glibc

/// Reading an experiment file's text: the operating system's reason when it cannot be read,
/// a bound on its size, and the place of the first byte that is not UTF-8.
enum ExperimentText {
    /// The largest experiment file GenLab reads (real ones are a few kilobytes).
    static let maxBytes = 1 << 20

    static func read(path: String) throws(SpecError) -> String {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SpecError(.unreadable, "cannot open the file: \(String(cString: strerror(errno)))", at: start)
        }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw SpecError(.unreadable, "is a folder, not an experiment file", at: start)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SpecError(.unreadable, "cannot read the file: \(String(cString: strerror(errno)))", at: start)
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= maxBytes else {
                throw SpecError(.unreadable, "the file is larger than \(maxBytes / 1024) KiB; an experiment file is a few kilobytes of YAML", at: start)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SpecError(.unreadable, "the file is not UTF-8 text (first invalid byte here)", at: firstInvalidByte(bytes, file: path))
        }
        return text
    }

    /// The line and column of the first byte that does not continue valid UTF-8 (lead
    /// bytes and continuation counts; overlong forms count as valid here).
    private static func firstInvalidByte(_ bytes: [UInt8], file: String) -> SourceLocation {
        var line = 1, column = 1, i = 0
        while i < bytes.count {
            let lead = bytes[i]
            let length = lead < 0x80 ? 1 : lead >= 0xC2 && lead < 0xE0 ? 2 : lead >= 0xE0 && lead < 0xF0 ? 3 : lead >= 0xF0 && lead < 0xF5 ? 4 : 0
            guard length > 0, i + length <= bytes.count,
                  bytes[(i + 1)..<(i + length)].allSatisfy({ $0 & 0xC0 == 0x80 }) else { break }
            if lead == 10 { line += 1; column = 1 } else { column += 1 }
            i += length
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
