import ArgumentParser
import Foundation
import GenLabCore
import GenLabData

/// `genlab cache list|clear`: the decoded-dataset cache.
struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or clear the decoded datasets in the cache folder.",
        discussion: """
        A dataset read from files (an image folder, MNIST, Fashion-MNIST, CIFAR-10) is decoded \
        once, at its experiment's image size and channels, into a record file in \
        $GENLAB_CACHE/datasets (else $XDG_CACHE_HOME/genlab/datasets, else \
        ~/.cache/genlab/datasets), which every process training on it maps. A changed source \
        (a file added, removed or touched) is decoded again at its next use.
        """,
        subcommands: [List.self, Clear.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the decoded datasets: images, shape, size, when built and from what.")

        func run() {
            let cache = DecodedCache()
            let entries = cache.entries()
            guard !entries.isEmpty else {
                print("no decoded datasets in \(cache.folder.visible)")
                return
            }
            for entry in entries {
                let name = (entry.path as NSString).lastPathComponent.visible
                let size = String(format: "%.1f MB", Double(entry.bytes) / 1e6)
                if let problem = entry.problem {
                    print("\(name)  \(size)  damaged, decoded again at its next use: \(problem.visible)")
                } else {
                    let shape = (entry.imageShape ?? []).map(String.init).joined(separator: "×")
                    let key = (entry.key ?? "").split(separator: "\n", maxSplits: 1).map { String($0).visible }
                    print("\(name)  \(entry.images ?? 0) images of \(shape)  \(size)  built \(entry.modified.formatted(.iso8601))  from \(key.first ?? "") (\(key.dropFirst().first ?? ""))")
                }
            }
            let total = entries.reduce(0) { $0 + $1.bytes }
            print("\(entries.count) decoded dataset(s), \(String(format: "%.1f MB", Double(total) / 1e6)) in \(cache.folder.visible)")
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the decoded datasets (not the evaluation classifiers); each is decoded again at its next use.",
            discussion: "An entry being built now is left alone. A process training on an entry keeps reading it until it ends."
        )

        func run() throws {
            let cache = DecodedCache()
            let (removed, building) = try cache.clear()
            for path in building { print("left \(path.visible): being built by another process") }
            let total = removed.reduce(0) { $0 + $1.bytes }
            print("removed \(removed.count) decoded dataset(s), \(String(format: "%.1f MB", Double(total) / 1e6)), from \(cache.folder.visible)")
        }
    }
}
