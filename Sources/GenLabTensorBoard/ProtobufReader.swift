/// Reads the top-level fields of a protocol-buffer message: each field's number with its
/// varint value (wire type 0) or its bytes (length-delimited, 64- and 32-bit); nil at the
/// first malformed field.
struct ProtobufReader {
    enum Field {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    private mutating func varint() -> UInt64? {
        var value: UInt64 = 0, shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, count <= bytes.endIndex - index else { return nil }
        defer { index += count }
        return bytes[index..<index + count]
    }

    /// The next field (number and value), nil at the end or at a malformed field.
    mutating func next() -> (number: Int, value: Field)? {
        guard index < bytes.endIndex, let key = varint(), key >> 3 > 0, key >> 3 < 1 << 29 else { return nil }
        let number = Int(key >> 3)
        switch key & 7 {
        case 0: return varint().map { (number, .varint($0)) }
        case 1: return take(8).map { (number, .bytes($0)) }
        case 2:
            guard let length = varint(), length < UInt64(Int.max) else { return nil }
            return take(Int(length)).map { (number, .bytes($0)) }
        case 5: return take(4).map { (number, .bytes($0)) }
        default: return nil
        }
    }
}
