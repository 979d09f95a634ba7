import GenLabSpec
import Testing

/// Misspelt names get the nearest valid one as a suggestion.
@Suite struct NearestKeyTests {
    static func message(_ model: String) -> String? {
        do {
            _ = try Experiment.parse("name: x\ndataset: {name: fashion-mnist}\nmodel: {\(model)}\n", file: "x.yaml")
            return nil
        } catch {
            return error.message
        }
    }

    @Test func suggestsCloseNames() {
        #expect(NearestKeyTests.message("kind: vae, latent: 2, bta: 1, encoder: [flatten], decoder: mirror")?
            .contains("did you mean 'beta'?") == true)
        // a transposition counts as one edit; ties go to the name of the same length
        #expect(NearestKeyTests.message("kind: vea, latent: 2")?.contains("did you mean 'vae'?") == true)
        let far = NearestKeyTests.message("kind: vae, latent: 2, zzzzzz: 1, encoder: [flatten], decoder: mirror")
        #expect(far?.contains("did you mean") == false && far?.contains("expected one of") == true)
    }
}
