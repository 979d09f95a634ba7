import Foundation
import GenLabCore
import Glibc

/// What a parallel sweep shows while it runs: on a terminal, one live line per running point
/// and a line of the sweep's totals with its ETA, redrawn in place below the events (a point
/// failed, completed, …); otherwise the events and, every 30 s, the totals as plain lines.
final class SweepDisplay {
    let isTerminal: Bool
    let quiet: Bool
    private var drawnLines = 0
    private var lastPlain = 0.0

    init(quiet: Bool) {
        isTerminal = isatty(STDOUT_FILENO) != 0
        self.quiet = quiet
    }

    /// An event, printed above the live lines; a problem goes to standard error, even when
    /// quiet.
    func event(_ text: String, problem: Bool = false) {
        guard !quiet || problem else { return }
        clear()
        if problem {
            StandardError.write(text)
        } else {
            print(text)
            fflush(stdout)
        }
    }

    /// The running points' lines and the totals line.
    func live(_ lines: [String], totals: String) {
        guard !quiet else { return }
        let now = Date().timeIntervalSince1970
        if isTerminal {
            clear()
            let width = Int(SweepDisplay.terminalWidth)
            for line in lines + [totals] { print(String(line.prefix(max(width - 1, 20)))) }
            drawnLines = lines.count + 1
            fflush(stdout)
        } else if now - lastPlain >= 30 {
            lastPlain = now
            for line in [totals] + lines { print(line) }
            fflush(stdout)
        }
    }

    /// Removes the live lines (before the summary).
    func clear() {
        guard isTerminal, drawnLines > 0 else { return }
        print("\u{1B}[\(drawnLines)F\u{1B}[J", terminator: "")
        drawnLines = 0
    }

    private static var terminalWidth: UInt16 {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? size.ws_col : 100
    }
}
