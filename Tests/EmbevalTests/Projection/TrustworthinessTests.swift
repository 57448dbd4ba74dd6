import Foundation
import Testing
@testable import Embeval

@Test func trustworthinessEqualsScikitLearnOnOpenTSNEMap() throws {
    let x = try ProjectionFixtures.matrix("fmnist_pca50.npy").selectingRows(Array(0..<1500))
    let info = try ProjectionFixtures.json("tsne.json")
    for method in ["bh", "fft"] {
        let map = try ProjectionFixtures.matrix("tsne_opentsne_\(method).npy")
        let expected = (info[method] as! [String: Any])["trustworthiness"] as! Double
        #expect(abs(Trustworthiness.score(original: x, map: map, k: 10) - expected) <= 1e-6)
    }
}

@Test func trustworthinessEqualsScikitLearnOnPCAMap() throws {
    let x = try ProjectionFixtures.matrix("gauss3.npy")
    let map = try ProjectionFixtures.matrix("gauss3_map.npy")
    let expected = (try ProjectionFixtures.json("tsne.json")["gauss3"] as! [String: Any])["pca2_trustworthiness"] as! Double
    #expect(abs(Trustworthiness.score(original: x, map: map, k: 10) - expected) <= 1e-6)
}
