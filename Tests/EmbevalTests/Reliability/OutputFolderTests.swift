import Foundation
import Testing
@testable import Embeval

/// A results folder is replaced only when embeval wrote it as results of the same kind and it holds nothing else:
/// whatever else a user keeps there is never deleted by a run.
@Suite struct OutputFolderTests {
    let dir = TestPaths.scratch("output-folder")

    func set(_ name: String) throws -> URL {
        let (m, labels) = clusteredEmbeddings(rows: 12, columns: 3, classes: 2, seed: 1)
        let url = dir.appendingPathComponent(name)
        try Embeddings(matrix: m, labels: labels, ids: (0..<12).map { "r\($0)" }, classes: ["a", "b"]).write(to: url)
        return url
    }

    func refusal(_ target: URL, kind: String) -> String? {
        do { try OutputFolder.checkReplaceable(target, kind: kind, ownedNames: Embeddings.isSetFile); return nil } catch {
            return "\(error)"
        }
    }

    @Test func onlyASetOfTheSameKindHoldingNothingElseIsReplaced() throws {
        let embeddings = try set("set")
        #expect(refusal(embeddings, kind: "embeddings") == nil)
        #expect(refusal(dir.appendingPathComponent("new"), kind: "embeddings") == nil)
        // Another kind of set (a command's input) is refused, by its kind.
        #expect(refusal(embeddings, kind: "explore")?.contains("holds embeval's embeddings set, not explore results") == true)
        // A user's file added into a set is carried into the set that replaces it, never deleted with the old one.
        try Data("notes".utf8).write(to: embeddings.appendingPathComponent("notes.txt"))
        #expect(refusal(embeddings, kind: "embeddings") == nil)
        let (n, nLabels) = clusteredEmbeddings(rows: 15, columns: 3, classes: 2, seed: 5)
        try Embeddings(matrix: n, labels: nLabels, ids: (0..<15).map { "n\($0)" }, classes: ["a", "b"]).write(to: embeddings)
        #expect(try SetManifest.verified(in: embeddings)?.rows == 15)
        #expect(try String(contentsOf: embeddings.appendingPathComponent("notes.txt"), encoding: .utf8) == "notes")
        // A folder older than manifests is replaced only if it holds nothing but the set's names.
        let old = dir.appendingPathComponent("old")
        try FileManager.default.createDirectory(at: old, withIntermediateDirectories: true)
        try Data().write(to: old.appendingPathComponent("embeddings.npy"))
        try Data("x".utf8).write(to: old.appendingPathComponent("thesis.tex"))
        #expect(refusal(old, kind: "embeddings")?.contains("'thesis.tex', which embeval did not write") == true)
        // A manifest.json that is not embeval's does not make a folder embeval's.
        let user = dir.appendingPathComponent("user")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try Data(#"{"kind": "embeddings"}"#.utf8).write(to: user.appendingPathComponent("manifest.json"))
        #expect(refusal(user, kind: "embeddings")?.contains("a 'manifest.json' that embeval did not write") == true)
        // Writing over a set of the same kind replaces it whole.
        let (m, labels) = clusteredEmbeddings(rows: 20, columns: 3, classes: 2, seed: 2)
        let again = try set("again")
        try Embeddings(matrix: m, labels: labels, ids: (0..<20).map { "q\($0)" }, classes: ["a", "b"]).write(to: again)
        #expect(try SetManifest.verified(in: again)?.rows == 20)
    }

    /// What `explore --map X-parametric.onnx --add` writes into the folder is explore's own: a re-run replaces it.
    @Test func exploreOwnsItsAddedPoints() {
        for name in ["umap-added.npy", "tsne-parametric-added.npy", "umap-parametric-added.npy", "pca.svg", "explore_files"] {
            #expect(Exploration.isOutputFile(name), "\(name)")
        }
        for name in ["notes-added.npy", "umap-parametric.npy", "thesis.tex"] { #expect(!Exploration.isOutputFile(name), "\(name)") }
    }

    /// The audit lists quote a field by its scalars: "\r\n" is one Character, and was written unquoted.
    @Test func csvFieldsWithLineBreaksOrQuotesAreQuoted() {
        #expect(AuditReport.csvField("plain") == "plain")
        #expect(AuditReport.csvField("crlf\r\nlabel") == "\"crlf\r\nlabel\"")
        #expect(AuditReport.csvField("a,b") == "\"a,b\"")
        #expect(AuditReport.csvField("say \"hi\"\u{301}") == "\"say \"\"hi\"\"\u{301}\"")
        // Names are data: written exactly, a leading '=' or '-' included (README, `audit --lists`).
        #expect(AuditReport.csvField("=1+1") == "=1+1" && AuditReport.csvField("-2.jpg") == "-2.jpg")
    }

    /// An ids.txt of another length than its rows is refused (it used to be dropped silently, ids becoming row
    /// numbers in audit lists).
    @Test func idsOfAnotherCountAreRefused() throws {
        let folder = dir.appendingPathComponent("foreign")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (m, labels) = clusteredEmbeddings(rows: 10, columns: 3, classes: 2, seed: 3)
        try NumpyArray.write(m, to: folder.appendingPathComponent("embeddings.npy"))
        try NumpyArray.write(labels: labels, to: folder.appendingPathComponent("labels.npy"))
        try Data("a\nb\nc\n".utf8).write(to: folder.appendingPathComponent("ids.txt"))
        #expect(throws: EmbeddingError.self) {
            try EmbeddingFiles(paths: [folder], labels: .stored).load()
        }
    }
}
