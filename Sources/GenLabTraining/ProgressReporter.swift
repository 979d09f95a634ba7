import Foundation
import GenLabResults
import Glibc

/// Training progress: a bar and a line redrawn in place on a terminal (epoch, step/total,
/// current losses, images/s, ETA), plain log lines otherwise (about twenty per run, and
/// each epoch's end); the plain lines also to the point's log when asked; and, for a worker
/// of a sweep, messages on its progress feed (at most a few per second, whatever `quiet`
/// says).
public final class ProgressReporter {
    let isTerminal: Bool
    let quiet: Bool
    let feed: Int32?
    let log: PointFiles?
    private var lastFed = 0.0
    private var lastDraw = 0.0
    private var start = 0.0
    private var startStep = 0
    private var images = 0
    private var lastLogged = -1

    public init(quiet: Bool = false, feed: Int32? = nil, log: PointFiles? = nil) {
        isTerminal = isatty(STDOUT_FILENO) != 0
        self.quiet = quiet
        self.feed = feed
        self.log = log
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Starts timing at `step`.
    func begin(runID: String, step: Int, total: Int) {
        start = ProgressReporter.now()
        startStep = step
        images = 0
        note("run \(runID): \(step == 0 ? "starting" : "resuming at step \(step)") (\(total) steps)")
    }

    /// Reports the state after a step.
    func update(step: Int, total: Int, epoch: Int, epochs: Int, batchSize: Int, losses: [String: Float], epochEnded: Bool) {
        images += batchSize
        let now = ProgressReporter.now()
        let elapsed = max(now - start, 1e-9), done = step - startStep
        let rate = Double(images) / elapsed
        if let feed, now - lastFed > 0.25 || step == total || epochEnded {
            lastFed = now
            WorkerProgress(step: step, total: total, epoch: epoch + 1, epochs: epochs, imagesPerSecond: rate, losses: losses).send(to: feed)
        }
        let every = max(1, total / 20)
        let plainDue = (step % every == 0 || step == total || epochEnded) && step != lastLogged
        guard !quiet || (log != nil && plainDue) else { return }
        let eta = done > 0 ? elapsed / Double(done) * Double(total - step) : 0
        let lossText = ProgressText.text(of: losses)
        let line = String(format: "epoch %d/%d  step %d/%d  %@  %.0f img/s  ETA %@", epoch + 1, epochs, step, total,
                          lossText, rate, ProgressText.duration(eta))
        if plainDue {
            lastLogged = step
            log?.log(line)
        }
        guard !quiet else { return }
        if isTerminal {
            guard now - lastDraw > 0.2 || step == total || epochEnded else { return }
            lastDraw = now
            let bar = ProgressText.bar(total > 0 ? Double(step) / Double(total) : 1) + " "
            print("\r\u{1B}[K" + bar + line, terminator: epochEnded || step == total ? "\n" : "")
            fflush(stdout)
        } else if plainDue {
            print(line)
        }
    }

    /// A one-line message (start, checkpoint, end), after any progress line.
    package func note(_ text: String) {
        log?.log(text)
        guard !quiet else { return }
        if isTerminal { print("\r\u{1B}[K", terminator: "") }
        print(text)
    }
}
