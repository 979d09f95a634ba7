import Foundation
import GenLabAnalysis
import GenLabData
import GenLabModels
import GenLabResults
import GenLabStore
import GenLabTestSupport
import Testing

/// The disentanglement metrics against disentanglement_lib's own code transcribed into numpy
/// and scikit-learn 1.9.1 (`Fixtures/disentanglement-reference.json` from
/// `generate_disentanglement_reference.py`), on the same fixed representations and samples.
@Suite struct DisentanglementMetricTests {
    static let reference: [String: Any] = {
        let url = Repository.root.appendingPathComponent("Tests/Fixtures/disentanglement-reference.json")
        return (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] ?? [:]
    }()

    static func matrix(_ value: Any?) -> [[Double]] {
        (value as? [[NSNumber]] ?? []).map { $0.map(\.doubleValue) }
    }

    /// MIG within 1e-6: the discretisation bin for bin, the mutual information matrix, the
    /// entropies, the per-factor gaps and the score.
    @Test func mutualInformationGap() throws {
        let mig = try #require(DisentanglementMetricTests.reference["mig"] as? [String: Any])
        let points = DisentanglementMetricTests.matrix(mig["codes"]), factorRows = DisentanglementMetricTests.matrix(mig["factors"])
        let codes = (0..<10).map { d in points.map { $0[d] } }
        let factors = (0..<5).map { j in factorRows.map { Int($0[j]) } }
        let discretized = codes.map { MutualInformationGap.histogramDiscretized($0, bins: 20) }
        #expect(discretized == DisentanglementMetricTests.matrix(mig["discretized"]).map { $0.map { Int($0) } })
        let result = MutualInformationGap.compute(codes: codes, factors: factors)
        let expected = DisentanglementMetricTests.matrix(mig["mutual_information"])
        #expect(zip(result.mutualInformation.joined(), expected.joined()).allSatisfy { abs($0 - $1) < 1e-9 })
        let entropy = (mig["entropy"] as? [NSNumber] ?? []).map(\.doubleValue)
        #expect(zip(result.entropy, entropy).allSatisfy { abs($0 - $1) < 1e-9 } && entropy.count == 5)
        let perFactor = (mig["per_factor"] as? [NSNumber] ?? []).map(\.doubleValue)
        #expect(zip(result.perFactor, perFactor).allSatisfy { abs($0 - $1) < 1e-6 } && perFactor.count == 5)
        let score = try #require((mig["discrete_mig"] as? NSNumber)?.doubleValue)
        #expect(abs(result.score - score) < 1e-6, "MIG \(result.score), disentanglement_lib \(score)")
        // a constant dimension lands in one bin, and a one-label factor informs nothing
        #expect(MutualInformationGap.histogramDiscretized([2, 2, 2], bins: 20) == [11, 11, 11])
        #expect(MutualInformationGap.mutualInformation([1, 1, 1], [0, 1, 2]) == 0)
    }

    /// FactorVAE: the global variances, the pruned dimensions, every vote and both accuracies
    /// equal (the votes are counts; the variances within 1e-12).
    @Test func factorVAEScore() throws {
        let f = try #require(DisentanglementMetricTests.reference["factor_vae"] as? [String: Any])
        func batches(_ key: String) -> [FactorVAEScore.Batch] {
            (f[key] as? [[String: Any]] ?? []).map { FactorVAEScore.Batch(factor: ($0["factor"] as? Int) ?? -1, codes: DisentanglementMetricTests.matrix($0["codes"])) }
        }
        let result = FactorVAEScore.compute(varianceSample: DisentanglementMetricTests.matrix(f["variance_codes"]),
                                            train: batches("train_batches"), eval: batches("eval_batches"), factors: 5)
        let global = (f["global_variances"] as? [NSNumber] ?? []).map(\.doubleValue)
        #expect(zip(result.globalVariances, global).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) } && global.count == 10)
        #expect(result.active == f["active_dims"] as? [Bool] && result.active.filter { $0 }.count == f["active_count"] as? Int)
        #expect(result.trainVotes == DisentanglementMetricTests.matrix(f["train_votes"]).map { $0.map { Int($0) } })
        #expect(result.evalVotes == DisentanglementMetricTests.matrix(f["eval_votes"]).map { $0.map { Int($0) } })
        #expect(abs(result.trainAccuracy - ((f["train_accuracy"] as? NSNumber)?.doubleValue ?? -1)) < 1e-12)
        #expect(abs(result.evalAccuracy - ((f["eval_accuracy"] as? NSNumber)?.doubleValue ?? -1)) < 1e-12)
        // nothing kept: both accuracies 0
        let flat = FactorVAEScore.compute(varianceSample: [[1, 1], [1, 1]], train: [], eval: [], factors: 2)
        #expect(flat.trainAccuracy == 0 && flat.evalAccuracy == 0 && flat.active == [false, false])
    }

    /// DCI's disentanglement and completeness from an importance matrix (a code that matters
    /// for nothing among them; a matrix of zeros) within 1e-9.
    @Test func dciFromAnImportanceMatrix() throws {
        let dci = try #require(DisentanglementMetricTests.reference["dci"] as? [String: Any])
        let result = DCIScore.compute(importance: DisentanglementMetricTests.matrix(dci["importance"]))
        let number = { (key: String) in (dci[key] as? NSNumber)?.doubleValue ?? .nan }
        #expect(abs(result.disentanglement - number("disentanglement")) < 1e-9 && abs(result.completeness - number("completeness")) < 1e-9)
        let perCode = (dci["per_code"] as? [NSNumber] ?? []).map(\.doubleValue), perFactor = (dci["per_factor"] as? [NSNumber] ?? []).map(\.doubleValue)
        #expect(perCode.count == 10 && zip(result.perCode, perCode).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(perFactor.count == 5 && zip(result.perFactor, perFactor).allSatisfy { abs($0 - $1) < 1e-9 })
        let zero = DCIScore.compute(importance: [[Double]](repeating: [0, 0], count: 3))
        #expect(abs(zero.disentanglement - number("zero_disentanglement")) < 1e-9 && abs(zero.completeness - number("zero_completeness")) < 1e-9)
    }

    /// SAP's score matrix for continuous factors and its mean top-two gap within 1e-9.
    @Test func sapFromTheScoreMatrix() throws {
        let sap = try #require(DisentanglementMetricTests.reference["sap"] as? [String: Any])
        let mig = try #require(DisentanglementMetricTests.reference["mig"] as? [String: Any])
        let points = DisentanglementMetricTests.matrix(mig["codes"]), factorRows = DisentanglementMetricTests.matrix(mig["factors"])
        let matrix = SAPScore.continuousMatrix(codes: (0..<10).map { d in points.map { $0[d] } }, factors: (0..<5).map { j in factorRows.map { $0[j] } })
        let expected = DisentanglementMetricTests.matrix(sap["continuous_matrix"])
        #expect(expected.count == 10 && zip(matrix.joined(), expected.joined()).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(abs(SAPScore.meanGap(matrix) - ((sap["score"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-9)
    }

    static func numbers(_ value: Any?) -> [Double] { (value as? [NSNumber] ?? []).map(\.doubleValue) }

    /// A fitted classifier against scikit-learn's fitted to its optimum (tolerance 1e-12 or less):
    /// the weights, and the intercepts relative to the first (a multinomial's intercepts are
    /// fixed only up to a common shift), within `tolerance`.
    static func expectFit(_ fit: any LinearClassifier, _ reference: Any?, tolerance: Double, _ what: String) {
        guard let reference = reference as? [String: Any] else {
            Issue.record("no reference for \(what)")
            return
        }
        let coef = matrix(reference["coef"]), intercept = numbers(reference["intercept"])
        #expect(fit.classes == (reference["classes"] as? [Int] ?? []), "\(what): classes")
        #expect(coef.count == fit.weights.count && zip(fit.weights.joined(), coef.joined()).allSatisfy { abs($0 - $1) <= tolerance },
                "\(what): weights \(fit.weights) against \(coef)")
        let shift = fit.intercepts.count > 1 ? (fit.intercepts[0] - intercept[0]) : 0
        #expect(intercept.count == fit.intercepts.count && zip(fit.intercepts, intercept).allSatisfy { abs($0 - $1 - shift) <= tolerance },
                "\(what): intercepts \(fit.intercepts) against \(intercept)")
    }

    /// The β-VAE score: each batch's feature (mean |z₁ − z₂|) within 1e-12; the logistic
    /// regression's weights within 1e-6 of scikit-learn's optimum; both accuracies equal to
    /// scikit-learn's default fit (lbfgs, 100 iterations), whose predictions its optimum shares.
    @Test func betaVAEScore() throws {
        let b = try #require(DisentanglementMetricTests.reference["beta_vae"] as? [String: Any])
        let features = DisentanglementMetricTests.matrix(b["features"])
        let pairs = (b["pairs"] as? [[String: Any]] ?? []).map {
            BetaVAEScore.Batch(factor: $0["factor"] as? Int ?? -1, first: DisentanglementMetricTests.matrix($0["first"]), second: DisentanglementMetricTests.matrix($0["second"]))
        }
        #expect(pairs.count == 10 && zip(pairs, features).allSatisfy { pair, expected in zip(pair.feature, expected).allSatisfy { abs($0 - $1) < 1e-12 } })
        let labels = (b["labels"] as? [Int]) ?? [], evalLabels = (b["eval_labels"] as? [Int]) ?? []
        let fit = LogisticRegression(features: features, labels: labels)
        DisentanglementMetricTests.expectFit(fit, b["tight"], tolerance: 1e-6, "β-VAE's logistic regression")
        let evalFeatures = DisentanglementMetricTests.matrix(b["eval_features"])
        let accuracy = { (key: String) in (b[key] as? NSNumber)?.doubleValue ?? .nan }
        #expect(abs(fit.accuracy(features: features, labels: labels) - accuracy("train_accuracy")) < 1e-12)
        #expect(abs(fit.accuracy(features: evalFeatures, labels: evalLabels) - accuracy("eval_accuracy")) < 1e-12)
        // the metric itself, on one-pair batches whose feature is a stored one (features are ≥ 0)
        let asBatches = { (rows: [[Double]], labels: [Int]) in
            zip(rows, labels).map { BetaVAEScore.Batch(factor: $1, first: [$0], second: [[Double](repeating: 0, count: $0.count)]) }
        }
        let result = BetaVAEScore.compute(train: asBatches(features, labels), eval: asBatches(evalFeatures, evalLabels))
        #expect(abs(result.trainAccuracy - accuracy("train_accuracy")) < 1e-12 && abs(result.evalAccuracy - accuracy("eval_accuracy")) < 1e-12)
    }

    /// Two classes: the one-row forms of both classifiers (labels 2 and 7, unbalanced) within
    /// 1e-6 of scikit-learn's optimum.
    @Test func twoClassFits() throws {
        let b = try #require(DisentanglementMetricTests.reference["binary"] as? [String: Any])
        let points = DisentanglementMetricTests.matrix(b["points"]), labels = (b["labels"] as? [Int]) ?? []
        DisentanglementMetricTests.expectFit(LogisticRegression(features: points, labels: labels), b["logistic"], tolerance: 1e-6, "binary logistic regression")
        DisentanglementMetricTests.expectFit(LinearSVC(features: points, labels: labels, c: 0.01), b["svc"], tolerance: 1e-6, "binary LinearSVC")
    }

    /// SAP on discrete factors: one of its one-vs-rest classifiers (40 classes) within 1e-6 of
    /// liblinear's optimum; the score matrix equal to scikit-learn's default fits entry by
    /// entry (accuracies on 500 test points), so the score equal within 1e-12.
    @Test func sapOnDiscreteFactors() throws {
        let sap = try #require(DisentanglementMetricTests.reference["sap"] as? [String: Any])
        let mig = try #require(DisentanglementMetricTests.reference["mig"] as? [String: Any])
        let points = DisentanglementMetricTests.matrix(mig["codes"]), factorRows = DisentanglementMetricTests.matrix(mig["factors"])
        let testPoints = DisentanglementMetricTests.matrix(sap["test_codes"]), testRows = DisentanglementMetricTests.matrix(sap["test_factors"])
        DisentanglementMetricTests.expectFit(LinearSVC(features: points.map { [$0[0]] }, labels: factorRows.map { Int($0[2]) }, c: 0.01),
                                             sap["tight_code0_orientation"], tolerance: 1e-6, "SAP's LinearSVC")
        let matrix = SAPScore.discreteMatrix(codes: (0..<10).map { d in points.map { $0[d] } }, factors: (0..<5).map { j in factorRows.map { Int($0[j]) } },
                                             testCodes: (0..<10).map { d in testPoints.map { $0[d] } }, testFactors: (0..<5).map { j in testRows.map { Int($0[j]) } })
        let expected = DisentanglementMetricTests.matrix(sap["discrete_matrix"])
        let differing = zip(matrix.joined(), expected.joined()).filter { $0 != $1 }
        #expect(expected.count == 10 && differing.isEmpty, "\(differing.count) entries differ: \(differing.prefix(5))")
        #expect(abs(SAPScore.meanGap(matrix) - ((sap["discrete_score"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-12)
    }

    /// DCI with GenLab's lasso importances: every importance within 1e-7 of scikit-learn's
    /// `Lasso(alpha=0.02)` at its optimum (tolerance 1e-14), the errors within 1e-9, the
    /// disentanglement and completeness within 1e-6.
    @Test func dciWithLassoImportances() throws {
        let dci = try #require(DisentanglementMetricTests.reference["dci"] as? [String: Any])
        let sap = try #require(DisentanglementMetricTests.reference["sap"] as? [String: Any])
        let mig = try #require(DisentanglementMetricTests.reference["mig"] as? [String: Any])
        let sizes = [3.0, 6, 40, 32, 32]
        let scaled = { (rows: [[Double]]) in rows.map { row in zip(row, sizes).map { $0 / ($1 - 1) } } }
        let fit = DCIImportance(codes: DisentanglementMetricTests.matrix(mig["codes"]), factors: scaled(DisentanglementMetricTests.matrix(mig["factors"])),
                                testCodes: DisentanglementMetricTests.matrix(sap["test_codes"]), testFactors: scaled(DisentanglementMetricTests.matrix(sap["test_factors"])),
                                alpha: 0.02)
        let expected = DisentanglementMetricTests.matrix(dci["lasso_importance"])
        #expect(expected.count == 10 && zip(fit.importance.joined(), expected.joined()).allSatisfy { abs($0 - $1) < 1e-7 })
        let train = DisentanglementMetricTests.numbers(dci["lasso_train_error"]), test = DisentanglementMetricTests.numbers(dci["lasso_test_error"])
        #expect(train.count == 5 && zip(fit.trainError, train).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(test.count == 5 && zip(fit.testError, test).allSatisfy { abs($0 - $1) < 1e-9 })
        let scores = DCIScore.compute(importance: fit.importance)
        #expect(abs(scores.disentanglement - ((dci["lasso_disentanglement"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-6)
        #expect(abs(scores.completeness - ((dci["lasso_completeness"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-6)
    }

    /// `mig` after training a small dSprites VAE: the score is MIG of the stored μ and factors,
    /// the factors lie in the grid and are the seeded stream's; never a default analysis; on a
    /// dataset without factors, refused at its line.
    @Test func migAnalysisOnDSprites() throws {
        let results = try RunHarness.folder("mig")
        let file = "\(results)/ds.yaml"
        try """
            name: ds
            dataset: {name: dsprites}
            model: {kind: vae, latent: 6, encoder: [flatten, {linear: {out: 64}}, relu], decoder: mirror, output: sigmoid, likelihood: bce}
            train: {steps: 30, batch_size: 64, optimizer: {adam: {lr: 1.0e-3}}}
            record: {samples: none}
            analysis:
              mig: {count: 400, bins: 10}
              factor_vae_score: {num_train: 40, num_eval: 20, num_variance_estimate: 300, threshold: 0.001}
              beta_vae_score: {batch_size: 8, num_train: 60, num_eval: 30}
              sap: {num_train: 300, num_test: 200}
              dci: {num_train: 300, num_test: 200}

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let trained = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "1"])
        #expect(trained.status == 0, "\(trained.output)")
        let runFile = try #require(try FileManager.default.subpathsOfDirectory(atPath: results).first { $0.hasSuffix("run.h5") })
        let record = try #require(try RunFile.readAnalyses(path: "\(results)/\(runFile)").first { $0.name == "mig" })
        let mu = try #require(record.arrays.first { $0.name == "mu" }), factors = try #require(record.arrays.first { $0.name == "factors" })
        #expect(mu.shape == [400, 6] && factors.shape == [400, 5])
        guard case .int64(let indices) = factors.values, let values = mu.floats else { Issue.record("mu or factors of the wrong type"); return }
        let sizes = [3, 6, 40, 32, 32]
        #expect((0..<400).allSatisfy { p in (0..<5).allSatisfy { (0..<Int64(sizes[$0])).contains(indices[p * 5 + $0]) } })
        // the stored μ are those of the grid images the stored factors name, encoded here
        // directly from the run file's weights (not through the analyses' shared encodings)
        let loaded = try TrainedRun(path: "\(results)/\(runFile)")
        let model = try #require(loaded.generative as? any LatentModel)
        let named = (0..<400).map { p in (0..<5).reduce(0) { $0 * sizes[$1] + Int(indices[p * 5 + $1]) } }
        let batch = BatchLoader.whole(DSprites.dataset().train.subset(named), normalization: .unit)
        let direct = try model.encode(batch.images, labels: batch.labels)[0].mu.values
        #expect(direct.count == values.count && zip(direct, values).allSatisfy { abs($0 - $1) <= 1e-5 }, "stored μ are not the μ of the stored factors' images")
        let result = MutualInformationGap.compute(codes: (0..<6).map { d in (0..<400).map { Double(values[$0 * 6 + d]) } },
                                                  factors: (0..<5).map { j in (0..<400).map { Int(indices[$0 * 5 + j]) } }, bins: 10)
        let stored = record.attributes.first { $0.name == "mig" }?.value
        #expect(stored == .number(result.score) && result.score >= 0 && result.score <= 1)
        let disentanglement = ["mig", "factor_vae_score", "beta_vae_score", "sap", "dci"]
        #expect(!AnalysisRunner.defaults(for: .vae).contains { disentanglement.contains($0.name) })

        // factor_vae_score (a threshold under this short run's σ of μ, about 0.03): its
        // accuracies are its stored votes' under the majority vote
        let factorVAE = try #require(try RunFile.readAnalyses(path: "\(results)/\(runFile)").first { $0.name == "factor_vae_score" })
        let number = { (name: String) -> Double? in
            if case .number(let x)? = factorVAE.attributes.first(where: { $0.name == name })?.value { return x }
            return nil
        }
        func votes(_ name: String) -> [[Int]] {
            guard case .int64(let v)? = factorVAE.arrays.first(where: { $0.name == name })?.values else { return [] }
            return (0..<5).map { j in (0..<6).map { Int(v[j * 6 + $0]) } }
        }
        let (trainVotes, evalVotes) = (votes("train_votes"), votes("eval_votes"))
        #expect(trainVotes.joined().reduce(0, +) == 40 && evalVotes.joined().reduce(0, +) == 20)
        let classifier = (0..<6).map { d in (0..<5).reduce(0) { trainVotes[$1][d] > trainVotes[$0][d] ? $1 : $0 } }
        let right = { (v: [[Int]]) in Double((0..<6).reduce(0) { $0 + v[classifier[$1]][$1] }) / Double(v.joined().reduce(0, +)) }
        #expect(number("train_accuracy") == right(trainVotes) && number("eval_accuracy") == right(evalVotes))

        let records = try RunFile.readAnalyses(path: "\(results)/\(runFile)")
        func value(_ analysis: String, _ name: String) -> Double? {
            switch records.first(where: { $0.name == analysis })?.attributes.first(where: { $0.name == name })?.value {
            case .number(let x)?: return x
            case .integer(let x)?: return Double(x)
            default: return nil
            }
        }
        func array(_ analysis: String, _ name: String) -> StoredArray? { records.first { $0.name == analysis }?.arrays.first { $0.name == name } }
        // beta_vae_score: a logistic regression of its stored features gives its accuracies
        let features = try #require(array("beta_vae_score", "features")?.floats), shared = try #require(array("beta_vae_score", "factors"))
        guard case .int64(let labels) = shared.values else { Issue.record("factors of the wrong type"); return }
        let rows = (0..<90).map { p in (0..<6).map { Double(features[p * 6 + $0]) } }
        #expect(labels.count == 90 && rows.allSatisfy { $0.allSatisfy { $0 >= 0 } })
        let logistic = LogisticRegression(features: Array(rows[..<60]), labels: labels[..<60].map { Int($0) })
        #expect(abs(logistic.accuracy(features: Array(rows[..<60]), labels: labels[..<60].map { Int($0) }) - (value("beta_vae_score", "train_accuracy") ?? -1)) < 1e-6)
        #expect(abs(logistic.accuracy(features: Array(rows[60...]), labels: labels[60...].map { Int($0) }) - (value("beta_vae_score", "eval_accuracy") ?? -1)) < 1e-6)
        // sap: the mean gap of its stored score matrix; dci: the scores of its stored importances
        let matrix = try #require(array("sap", "score_matrix")?.floats)
        #expect(matrix.count == 30 && matrix.allSatisfy { $0 >= 0 && $0 <= 1 })
        let sapScore = SAPScore.meanGap((0..<6).map { d in (0..<5).map { Double(matrix[d * 5 + $0]) } })
        #expect(abs(sapScore - (value("sap", "sap") ?? -1)) < 1e-6)
        let importance = try #require(array("dci", "importance_matrix")?.floats)
        let dci = DCIScore.compute(importance: (0..<6).map { d in (0..<5).map { Double(importance[d * 5 + $0]) } })
        #expect(abs(dci.disentanglement - (value("dci", "disentanglement") ?? -1)) < 1e-5 && abs(dci.completeness - (value("dci", "completeness") ?? -1)) < 1e-5)
        #expect((value("dci", "informativeness_test") ?? -1) > 0)
        // μ of a grid image is the same whichever analyses encoded it first (mig's own batches
        // when it ran first after training; dci's and factor_vae_score's here)
        let again = try Repository.run(RunHarness.genlab, ["analyze", "\(results)/\(runFile)", "--only", "dci,factor_vae_score,mig",
                                                           "--set", "mig.count=400", "--set", "mig.bins=10"])
        #expect(again.status == 0, "\(again.output)")
        let rerun = try #require(try RunFile.readAnalyses(path: "\(results)/\(runFile)").first { $0.name == "mig" })
        #expect(rerun.arrays.first { $0.name == "mu" }?.floats == values, "mig's μ changed when other analyses encoded first")

        let other = "\(results)/fashion.yaml"
        try "name: f\ndataset: {name: fashion-mnist}\nmodel: {kind: vae, latent: 4, encoder: [flatten, {linear: {out: 8}}, relu], decoder: mirror}\nanalysis:\n  mig:\n"
            .write(toFile: other, atomically: true, encoding: .utf8)
        let huge = "\(results)/huge.yaml"
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "num_train: 40", with: "num_train: 1000000")
            .write(toFile: huge, atomically: true, encoding: .utf8)
        let bounded = try Repository.run(RunHarness.genlab, ["validate", huge])
        #expect(bounded.status == 1 && bounded.output.contains("huge.yaml:8:") && bounded.output.contains("at most 2,000,000"), "\(bounded.output)")
        let refused = try Repository.run(RunHarness.genlab, ["validate", other])
        #expect(refused.status == 1 && refused.output.contains("fashion.yaml:5:3: analysis 'mig' needs a dataset with ground-truth factors"), "\(refused.output)")
    }
}
