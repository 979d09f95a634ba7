import Foundation

/// How progress reads in a terminal and in `status`: losses, a bar, durations.
public enum ProgressText {
    /// Losses as "name=value" sorted by name, four significant digits.
    public static func text(of losses: [String: Float]) -> String {
        losses.keys.sorted().map { String(format: "%@=%.4g", $0, Double(losses[$0]!)) }.joined(separator: " ")
    }

    /// A bar of 20 characters, "[#####...............]", filled to `fraction`.
    public static func bar(_ fraction: Double) -> String {
        let filled = max(0, min(20, Int(fraction * 20)))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "]"
    }

    /// Seconds as "h:mm:ss".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}
