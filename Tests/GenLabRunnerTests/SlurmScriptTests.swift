import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// The sbatch script holds what it is given as data: hostile `--partition`, `--time` and
/// `--sbatch-arg` values are refused before anything is written; a results folder with
/// quotes, spaces, `#` or backslashes reaches sbatch and bash as the same path; a line break
/// in a path is refused; array indices plus the offset give back the points' indices.
@Suite struct SlurmScriptTests {
    /// sbatch's own reading of an `#SBATCH` line's first value (Slurm 22.05,
    /// `src/sbatch/opt.c`, `_get_argument`): whitespace ends it, `\` escapes the next
    /// character, `'` or `"` quote until the same quote, an unquoted `#` ends the line; nil
    /// for an unmatched quote (sbatch's fatal error).
    static func sbatchValue(_ line: String) -> String? {
        var value = "", quote: Character?, escaped = false
        for character in line.drop(while: \.isWhitespace) {
            if escaped { escaped = false; value.append(character); continue }
            if character == "\\" { escaped = true; continue }
            if let open = quote {
                if character == open { quote = nil } else { value.append(character) }
                continue
            }
            if character == "'" || character == "\"" { quote = character; continue }
            if character == "#" || character.isWhitespace { break }
            value.append(character)
        }
        return quote == nil ? value : nil
    }

    @Test(arguments: [
        (["--partition", "gpu\nrm -rf /"], "--partition takes Slurm partition names"),
        (["--partition", "gpu\r\n#SBATCH --wrap=x"], "--partition takes Slurm partition names"),
        (["--partition", "gpu;id"], "--partition takes Slurm partition names"),
        (["--partition", ""], "--partition takes Slurm partition names"),
        (["--time", "1:00:00\ntouch /tmp/owned"], "--time takes one of Slurm's time forms"),
        (["--time", "$(id)"], "--time takes one of Slurm's time forms"),
        (["--time", "1:2:3:4"], "--time takes one of Slurm's time forms"),
        (["--time", "1--2"], "--time takes one of Slurm's time forms"),
        (["--sbatch-arg", "--mem=1G\rtouch /tmp/owned"], "--sbatch-arg takes one sbatch option"),
        (["--sbatch-arg", "--mem=1G\u{2028}x"], "--sbatch-arg takes one sbatch option"),
        (["--sbatch-arg", "mem=1G"], "--sbatch-arg takes one sbatch option"),
    ])
    func hostileOptionsAreRefused(_ options: [String], _ message: String) throws {
        let (file, results) = try ParallelSweepTests.drill(long: 300)
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--launcher", "slurm", "--dry-run"] + options)
        #expect(run.status == 64 && run.output.contains(message), "\(run.output)")
        #expect(!run.output.split(separator: "\n").contains { $0.hasPrefix("#SBATCH") }, "a script was printed")
    }

    @Test(arguments: ["gpu", "gpu,cpu", "short-q_1.a"])
    func partitionsAreAccepted(_ partition: String) {
        #expect(SlurmJobScript.Options(partition: partition).problem == nil)
    }

    @Test(arguments: ["90", "30:00", "1:30:00", "2-00", "2-12:00", "2-00:00:00", "UNLIMITED", "infinite"])
    func timesAreAccepted(_ time: String) {
        #expect(SlurmJobScript.Options(time: time).problem == nil)
    }

    /// A results folder whose path has an apostrophe, spaces, `#`, a double quote and a
    /// backslash: sbatch reads the log path back from the `--output` line, bash the binary's
    /// and the definition's paths from their assignments, and the script parses.
    @Test func awkwardPathsStayData() throws {
        let folder = "/shared/it's \"my\" #1 \\ results/x"
        let launcher = SlurmJobScript(options: .init(), manifestPath: "\(folder)/sweep-ab12.json", experiment: "x",
                                     executable: "/opt/gen lab's/genlab")
        try launcher.checkPaths()
        let script = launcher.script(.init(offset: 0, indices: [0, 1]))
        let output = script.split(separator: "\n").first { $0.hasPrefix("#SBATCH --output=") }.map { String($0.dropFirst("#SBATCH --".count)) }
        #expect(output.flatMap(SlurmScriptTests.sbatchValue) == "output=\(folder)/slurm/%A_%a.log", "\(output ?? "no --output line")")
        let bash = try Repository.run("bash", ["-n", "-c", script])
        #expect(bash.status == 0, "\(bash.output)")
        let assignments = script.split(separator: "\n").filter { $0.hasPrefix("genlab=") || $0.hasPrefix("sweep=") }.joined(separator: "\n")
        let echoed = try Repository.run("bash", ["-c", assignments + "\nprintf '%s\\n' \"$genlab\" \"$sweep\""])
        #expect(echoed.output == "/opt/gen lab's/genlab\n\(folder)/sweep-ab12.json\n", "\(echoed.output)")
    }

    /// A line break in the results folder's path cannot be held by an `#SBATCH` line: refused,
    /// naming the path.
    @Test(arguments: ["/shared/a\nb/x", "/shared/a\r\nb/x", "/shared/a\u{0}b/x"])
    func lineBreaksInPathsAreRefused(_ folder: String) {
        let launcher = SlurmJobScript(options: .init(), manifestPath: "\(folder)/sweep-ab12.json", experiment: "x", executable: "/opt/genlab")
        #expect(throws: RunError.self) { try launcher.checkPaths() }
    }

    /// Every array task runs the point it stands for: array index + offset, for arrays cut at
    /// a MaxArraySize of 1000 (the script's own arithmetic, run by bash).
    @Test func arrayIndicesPlusTheOffsetAreThePoints() throws {
        let indices = [3, 999, 1000, 1001, 1500, 2999, 3000]
        let arrays = SlurmJobScript.arrays(indices, maxArraySize: 1000)
        #expect(arrays.map(\.offset) == [0, 1000, 2000, 3000])
        var points: [Int] = []
        for array in arrays {
            let launcher = SlurmJobScript(options: .init(), manifestPath: "/r/x/sweep-1.json", experiment: "x", executable: "/g")
            let script = launcher.script(array)
            let range = script.split(separator: "\n").first { $0.hasPrefix("#SBATCH --array=") }.map { $0.dropFirst("#SBATCH --array=".count) } ?? ""
            // Slurm's compact form expanded by hand: "0-2,5" → 0, 1, 2, 5
            let tasks = range.split(separator: ",").flatMap { part -> [Int] in
                let ends = part.split(separator: "-").compactMap { Int($0) }
                return ends.count == 2 ? Array(ends[0]...ends[1]) : ends
            }
            #expect(tasks.allSatisfy { (0..<1000).contains($0) }, "\(range)")
            let line = script.split(separator: "\n").first { $0.hasPrefix("point=") } ?? ""
            for task in tasks {
                let result = try Repository.run("bash", ["-c", "SLURM_ARRAY_TASK_ID=\(task)\n\(line)\necho $point"])
                points.append(Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
            }
        }
        #expect(points == indices)
    }
}
