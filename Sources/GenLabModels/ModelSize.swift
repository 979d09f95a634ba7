import Foundation
import GenLabSpec
import GenLabTensor

/// Sizes checked before anything is allocated: one item's activations, and the whole
/// training's memory against this machine's (a layer's parameters are counted by its
/// `LayerKind`).
enum ModelSize {
    /// The most float32 values one item may have at a layer's output (2³¹).
    static let maxItemElements = 1 << 31

    /// The memory this process may use, in bytes: the machine's physical memory, or less
    /// when an address-space limit (`ulimit -v`) or the cgroup's `memory.max` says so.
    static let memoryBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        var limit = pages > 0 && size > 0 ? pages.multipliedReportingOverflow(by: size).partialValue : 1 << 34
        if let addressSpace = AddressSpace.limit { limit = min(limit, addressSpace) }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let cgroup = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            limit = min(limit, cgroup)
        }
        return limit
    }()

    /// Bytes per trainable parameter during training: value, gradient and two optimizer
    /// moments, float32.
    static let bytesPerParameter = 16

    /// The most parameters a model may have on this machine.
    static var maxParameters: Int { memoryBytes / bytesPerParameter }

    /// "1.5 GiB", "312 MiB".
    static func describe(bytes: Double) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = bytes, unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: unit == 0 ? "%.0f %@" : "%.1f %@", value, units[unit])
    }
}
