import Foundation
import Testing
@testable import Embeval

/// The explore page's Issues panel (`explore --audit`, issue 14) in headless Chromium: each list (label errors,
/// duplicate pairs, outliers) is listed with its thumbnails and ringed in red on the map, in the self-contained and
/// the folder form, and `explore --audit` over the planted-problem images puts the audit's own lists in it.
@Suite(.serialized) struct ExplorePageIssuesBrowserTests {
    static let issues = ExplorePageIssues(
        labelIssues: [.init(point: 5, suggested: 0, selfConfidence: 0.1), .init(point: 1, suggested: 1, selfConfidence: 0.2),
                      .init(point: 9, suggested: 2, selfConfidence: 0.3)],
        labelIssueCount: 3,
        duplicates: [.init(first: 3, second: 4, cosine: 0.9995), .init(first: 2, second: 7, cosine: 0.99)],
        duplicateCount: 7, duplicateThreshold: 0.98,
        outliers: [.init(point: 10, meanDistance: 0.5)], outlierCount: 1)

    static func page() -> ExplorePage {
        var page = explorePageFixture(300)
        page.issues = issues
        return page
    }

    static func expectIssues(_ summary: [String: Any]) throws {
        let issues = try #require(summary["issues"] as? [String: [String: Int]], "\(summary)")
        #expect(issues["label"]?["listed"] == 3 && issues["duplicates"]?["listed"] == 2 && issues["outliers"]?["listed"] == 1)
        for kind in ["label", "duplicates", "outliers"] {
            #expect((issues[kind]?["redPixels"] ?? 0) > 20, "\(kind): the listed points are ringed in red")
        }
        // The duplicates stay listed: both pairs side by side, point 2's undecodable thumbnail left out.
        #expect(summary["issueImages"] as? Int == 3 && summary["issueExpectedImages"] as? Int == 3, "\(summary)")
    }

    @Test func theSelfContainedPageListsAndRingsEveryKind() throws {
        let url = TestPaths.scratch("issues-inline").appendingPathComponent("explore.html")
        try Self.page().html().write(to: url, atomically: true, encoding: .utf8)
        let (summary, passed, dom, stderr) = try ExplorePageFolderBrowserTests.selfTest(url)
        #expect(passed, "self-test: \(summary)")
        try Self.expectIssues(summary)
        #expect(ExplorePageFolderBrowserTests.consoleErrors(stderr).isEmpty, "console: \(ExplorePageFolderBrowserTests.consoleErrors(stderr))")
        let list = try #require(dom.firstMatch(of: #/<ol id="issue-list">(.*?)</ol>/#.dotMatchesNewlines()))
        #expect(list.output.1.contains("cosine 0.9995") && list.output.1.contains("cosine 0.9900"))
        #expect(dom.contains("7 near-duplicate pairs at cosine ≥ 0.9800") && dom.contains("(the page holds the first 2)"))
        #expect(dom.contains("label errors (3)") && dom.contains("outliers (1)"))
        #expect(!dom.contains("<b>x</b>"))
    }

    @Test func theFolderFormLoadsTheIssueThumbnailsFromItsFolder() throws {
        let url = TestPaths.scratch("issues-folder").appendingPathComponent("explore.html")
        let folder = try Self.page().write(to: url, inlineLimit: 100)
        #expect(folder?.lastPathComponent == "explore_files")
        let (summary, passed, dom, stderr) = try ExplorePageFolderBrowserTests.selfTest(url)
        #expect(passed, "self-test: \(summary)")
        try Self.expectIssues(summary)
        #expect(ExplorePageFolderBrowserTests.consoleErrors(stderr).isEmpty, "console: \(ExplorePageFolderBrowserTests.consoleErrors(stderr))")
        #expect(dom.contains("src=\"explore_files/thumbs/0/3.png\"") && dom.contains("src=\"explore_files/thumbs/0/4.png\""))
    }

    @Test func aPageIsRefusedWhenAnIssueNamesNoPoint() throws {
        var page = Self.page()
        page.issues?.outliers = [.init(point: 300, meanDistance: 0.5)]
        #expect(throws: ReportError.self) { try page.html() }
        page = Self.page()
        page.issues?.labelIssues = [.init(point: 0, suggested: 4, selfConfidence: 0.1)]
        #expect(throws: ReportError.self) { try page.html() }
    }

    @Test func exploreAuditPutsTheAuditsListsInThePage() throws {
        let dir = TestPaths.scratch("issues-cli")
        let json = dir.appendingPathComponent("explore.json"), out = dir.appendingPathComponent("maps")
        let r = try runEmbeval(["explore", "-m", AuditCommandTests.model, "--dataset", AuditCommandTests.folder.appendingPathComponent("images").path,
                                "--method", "pca", "--audit", "--out", out.path, "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Issues (in the page): 105 label-error candidates, 110 near-duplicate pairs"), "\(r.out)")
        let report = try ExploreReport.read(from: json)
        // The same audit as `embeval audit` on these images (AuditCommandTests): 105 candidates, 63 outliers.
        #expect(report.issues?.labelIssues == 105 && report.issues?.outliers == 63 && report.issues?.nearDuplicatePairs == 110)
        let page = out.appendingPathComponent("explore.html")
        let (summary, passed, _, stderr) = try ExplorePageFolderBrowserTests.selfTest(page)
        #expect(passed, "self-test: \(summary)")
        let issues = try #require(summary["issues"] as? [String: [String: Int]])
        #expect(issues["label"]?["listed"] == 100 && issues["duplicates"]?["listed"] == 100 && issues["outliers"]?["listed"] == 63)
        #expect((summary["issueImages"] as? Int ?? 0) == 200, "every listed pair shows both thumbnails: \(summary)")
        #expect(ExplorePageFolderBrowserTests.consoleErrors(stderr).isEmpty)
    }
}
