import ArgumentParser

/// The most jobs, threads or CPUs an option may ask for.
let maxProcessorCount = 1024

/// Refuses `value` (when given) outside 1 – 1024: "`option` must be between 1 and 1024".
func checkProcessorCount(_ value: Int?, _ option: String) throws {
    if let value, !(1...maxProcessorCount).contains(value) {
        throw ValidationError("\(option) must be between 1 and \(maxProcessorCount)")
    }
}
