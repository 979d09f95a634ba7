@testable import GenLabSpec
import Testing

@Suite struct NearestKeyTests {
    @Test func suggestsCloseKeys() {
        #expect(NearestKey.suggestion(for: "bta", among: ["beta", "latent", "kind"]) == "beta")
        #expect(NearestKey.suggestion(for: "zzzzzz", among: ["beta", "latent"]) == nil)
        #expect(NearestKey.distance("kitten", "sitting") == 3)
    }
}
