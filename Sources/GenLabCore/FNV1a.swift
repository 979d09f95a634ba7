/// The 64-bit FNV-1a hash, fed a piece at a time: experiment configuration hashes, and the
/// names, keys and checksums of decoded dataset caches.
public struct FNV1a {
    /// The hash of what was added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Adds `bytes`.
    public mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    /// Adds the bytes at `bytes` (a tight loop: the labels of a large record file).
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var hash = value
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        value = hash
    }

    /// Adds the bytes of `number` as it is in memory.
    public mutating func add<T: FixedWidthInteger>(bytesOf number: T) {
        withUnsafeBytes(of: number.littleEndian) { add($0) }
    }

    /// Adds the UTF-8 bytes of `text`.
    public mutating func add(_ text: String) { add(text.utf8) }

    /// The hash as 16 hexadecimal digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
