import Glibc

/// The address space this process may map under `ulimit -v` (RLIMIT_AS), the limit a failed
/// `mmap` reports.
public enum AddressSpace {
    /// The limit in bytes; nil when there is none.
    public static var limit: Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// Bytes a tensor's storage leaves free under a limit for the allocations outside GenLab's
    /// tensors: the Swift runtime's own end the program with a trap when they fail (seen with
    /// 4 MB arrays under 700 MB), so a tensor that would leave less ends it with the
    /// out-of-memory message first (`Tensor.ensureRoom(forFloats:)`).
    static let reserve = 32 << 20

    /// Bytes this process may still map: the limit less its current size (`/proc/self/statm`);
    /// nil when there is no limit or the size cannot be read.
    static var room: Int? {
        guard let limit else { return nil }
        let file = open("/proc/self/statm", O_RDONLY)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = read(file, &bytes, bytes.count)
        guard count > 0, let pages = Int(String(decoding: bytes[..<count], as: UTF8.self).split(separator: " ").first ?? "") else { return nil }
        return limit - pages * sysconf(Int32(_SC_PAGESIZE))
    }
}
