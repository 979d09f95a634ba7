import ArgumentParser

/// The `genlab` command line.
@main
struct GenLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genlab",
        abstract: "Declarative experiment runner for generative image models (VAEs, GANs) on CPU.",
        version: GenLabVersion.current,
        subcommands: [Bench.self, Version.self]
    )
}

/// GenLab's release.
enum GenLabVersion {
    static let current = "0.1.0"
}
