import Foundation
import Testing
@testable import Embeval

@Suite(.serialized) struct ExploreCommandTests {
    let dir = TestPaths.scratch("explore")

    func embeddings(rows: Int, columns: Int, name: String) throws -> (String, String) {
        let (m, labels) = clusteredEmbeddings(rows: rows, columns: columns, classes: 3, seed: 41)
        let e = dir.appendingPathComponent("\(name).npy"), l = dir.appendingPathComponent("\(name)-labels.npy")
        try NumpyArray.write(m, to: e)
        try NumpyArray.write(labels: labels, to: l)
        return (e.path, l.path)
    }

    @Test func mapsPicturesPageAndAddedPoints() throws {
        let (e, l) = try embeddings(rows: 150, columns: 8, name: "set")
        let out = dir.appendingPathComponent("maps")
        let json = dir.appendingPathComponent("explore.json")
        let r = try runEmbeval(["explore", "--embeddings", e, "--labels", l, "--method", "pca,tsne,umap", "--out", out.path, "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        for method in ["pca", "tsne", "umap"] {
            let coordinates = try NumpyArray.readMatrix(at: out.appendingPathComponent("\(method).npy"))
            #expect(coordinates.rows == 150 && coordinates.columns == 2)
            let png = try ImageDecoder.decode(fileAt: out.appendingPathComponent("\(method).png").path)
            #expect(png.width > 100)
            #expect(try String(contentsOf: out.appendingPathComponent("\(method).svg"), encoding: .utf8).contains("<svg"))
        }
        #expect(try String(contentsOf: out.appendingPathComponent("explore.html"), encoding: .utf8).contains("<canvas"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        let maps = report["maps"] as! [[String: Any]]
        #expect(maps.map { $0["method"] as? String } == ["pca", "tsne", "umap"])
        // The non-linear maps keep neighbourhoods, and classes about as well as the space they were made from.
        for map in maps where map["method"] as? String != "pca" {
            #expect((map["trustworthiness"] as! Double) > 0.85, "\(map)")
            #expect((map["knn_accuracy_map"] as! Double) >= (map["knn_accuracy_input"] as! Double) - 10, "\(map)")
        }
        // New points onto the saved UMAP map.
        let (newE, _) = try embeddings(rows: 20, columns: 8, name: "new")
        let add = try runEmbeval(["explore", "--map", out.appendingPathComponent("umap.map").path, "--add", newE, "--out", out.path])
        #expect(add.code == 0, "\(add.err)")
        #expect(try NumpyArray.readMatrix(at: out.appendingPathComponent("umap-added.npy")).rows == 20)
        let tsneAdd = try runEmbeval(["explore", "--map", out.appendingPathComponent("tsne.map").path, "--add", newE, "--out", out.path])
        #expect(tsneAdd.code == 0, "\(tsneAdd.err)")
        // A width the map was not made from.
        let (wide, _) = try embeddings(rows: 20, columns: 9, name: "wide")
        let bad = try runEmbeval(["explore", "--map", out.appendingPathComponent("umap.map").path, "--add", wide, "--out", out.path])
        #expect(bad.code == 2)
        #expect(bad.err.contains("new embeddings are 9-dimensional, the map was made from 8-dimensional embeddings"), "\(bad.err)")
    }

    @Test func pageNeighboursSetsTheListsInThePage() throws {
        let (e, l) = try embeddings(rows: 60, columns: 4, name: "page-neighbours")
        for (k, expected) in [(0, nil), (3, 3)] as [(Int, Int?)] {
            let out = dir.appendingPathComponent("page-neighbours-\(k)")
            let r = try runEmbeval(["explore", "--embeddings", e, "--labels", l, "--method", "pca", "--page-neighbours", "\(k)", "--out", out.path])
            #expect(r.code == 0, "\(r.err)")
            let data = try explorePageData(try String(contentsOf: out.appendingPathComponent("explore.html"), encoding: .utf8))
            if let expected {
                #expect((data["neighbours"] as? [[Int]])?.allSatisfy { $0.count == expected } == true)
            } else {
                #expect(data["neighbours"] is NSNull)
            }
        }
        let bad = try runEmbeval(["explore", "--embeddings", e, "--labels", l, "--method", "pca", "--page-neighbours", "101",
                                  "--out", dir.appendingPathComponent("page-neighbours-bad").path])
        #expect(bad.code == 2)
        #expect(bad.err.contains("--page-neighbours") && bad.err.contains("0…100"), "\(bad.err)")
    }

    @Test func anExplicitSeedMakesUMAPReproducibleAndNoSeedUsesEveryCore() throws {
        let (e, l) = try embeddings(rows: 120, columns: 6, name: "seeded")
        func run(_ name: String, _ extra: [String]) throws -> (map: Data, report: [String: Any]) {
            let out = dir.appendingPathComponent(name), json = dir.appendingPathComponent("\(name).json")
            let r = try runEmbeval(["explore", "--embeddings", e, "--labels", l, "--method", "umap", "--out", out.path,
                                    "--json", json.path] + extra)
            #expect(r.code == 0, "\(r.err)")
            return (try Data(contentsOf: out.appendingPathComponent("umap.npy")),
                    try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any])
        }
        func layoutThreads(_ report: [String: Any]) -> Int? {
            ((report["maps"] as? [[String: Any]])?.first?["parameters"] as? [String: Any])?["layout_threads"] as? Int
        }
        let first = try run("seed-a", ["--seed", "0"]), second = try run("seed-b", ["--seed", "0"])
        #expect(first.map == second.map)
        #expect(first.report["reproducible"] as? Bool == true && layoutThreads(first.report) == 1)
        let unseeded = try run("no-seed", [])
        #expect(unseeded.report["reproducible"] as? Bool == false)
        #expect(unseeded.report["seed"] as? Int == 0)
        #expect(layoutThreads(unseeded.report) == ProcessInfo.activeCores)
    }

    @Test func tooFewPointsAndNaNRowsAreOneLineErrors() throws {
        let (e, l) = try embeddings(rows: 40, columns: 4, name: "few")
        let tsne = try runEmbeval(["explore", "--embeddings", e, "--labels", l, "--method", "tsne", "--out", dir.appendingPathComponent("a").path])
        #expect(tsne.code == 2)
        #expect(tsne.err.contains("t-SNE with perplexity 30.0 needs at least 91 points, got 40"), "\(tsne.err)")
        let (small, smallLabels) = try embeddings(rows: 12, columns: 4, name: "tiny")
        let umap = try runEmbeval(["explore", "--embeddings", small, "--labels", smallLabels, "--method", "umap", "--out", dir.appendingPathComponent("b").path])
        #expect(umap.code == 2)
        #expect(umap.err.contains("needs at least 16 points, got 12"), "\(umap.err)")
        var (m, _) = clusteredEmbeddings(rows: 30, columns: 4, classes: 2, seed: 3)
        m[7, 1] = .nan
        try NumpyArray.write(m, to: dir.appendingPathComponent("nan.npy"))
        let nan = try runEmbeval(["explore", "--embeddings", dir.appendingPathComponent("nan.npy").path, "--method", "pca", "--out", dir.appendingPathComponent("c").path])
        #expect(nan.code == 2)
        #expect(nan.err.contains("hold NaN or Inf: ids '7'"), "\(nan.err)")
        for r in [tsne, umap, nan] { #expect(r.err.split(separator: "\n").count == 1, "\(r.err)") }
    }
}
