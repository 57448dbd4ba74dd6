import ArgumentParser
import Embeval
import Foundation

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the images of an index most similar to query images or texts (exact top-k cosine).",
        discussion: """
        The index is what `embeval embed` wrote (a folder, its shard folders, or a .npy with ids.txt beside it), \
        mapped from disk. Image queries are embedded by -m, the model that made the index (its pooling, unless \
        --pooling says otherwise); text queries by a two-tower model's text tower (-m image-encoder=PATH \
        -m text-encoder=PATH, or a combined export), the index then being its image tower's embeddings. Rows and \
        queries are L2-normalised; each query lists its k rows of largest cosine, best first.
        """
    )

    @Option(help: "The index: a folder embed or merge wrote, shard folders (repeat), a folder holding them, or a .npy with ids.txt beside it.")
    var index: [String] = []

    @Option(help: "A query image file (repeat for several).")
    var query: [String] = []

    @Option(help: "A file of query image paths, one per line.")
    var queryList: String?

    @Option(help: "A query text for a two-tower model's text tower (repeat for several).")
    var text: [String] = []

    @Option(help: "A file of query texts, one per line.")
    var textList: String?

    @Option(help: "Query rows computed earlier: a .npy (ids from ids.txt beside it, else row numbers) or a folder embed wrote.")
    var queryEmbeddings: String?

    @OptionGroup var model: ModelOptions

    @Option(help: "The text tower's tokenizer files (default: the model's own).")
    var tokenizer: String?

    @Option(name: .customShort("k"), help: "Hits per query.")
    var k = 10

    @Option(help: "Also write a page with thumbnails of each query's hits (images from --dataset, else the dataset the index was made of).")
    var html: String?

    @OptionGroup var data: DatasetOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !index.isEmpty else { throw ValidationError("--index is required: the embeddings embed wrote") }
        let kinds = [!query.isEmpty || queryList != nil, !text.isEmpty || textList != nil, queryEmbeddings != nil].filter { $0 }.count
        guard kinds == 1 else {
            throw ValidationError("give one kind of query: --query/--query-list images, --text/--text-list texts, or --query-embeddings")
        }
        guard k >= 1 else { throw ValidationError("-k must be at least 1, got \(k)") }
        if let html { try checkPageTarget(html) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: nil,
                                     inputs: index.map { (flag: "--index", path: Optional($0)) } + [("--query-embeddings", queryEmbeddings), ("--query-list", queryList), ("--text-list", textList)])
    }

    func run() throws {
        let index = try SearchIndex(paths: self.index.map { URL(fileURLWithPath: $0) }, pooling: model.embedding.pooling?.description)
        var queryFiles: [URL]? = nil
        let queries: SearchTask.Queries
        if let queryEmbeddings {
            queries = .embeddings(EmbeddingFiles(embeddings: URL(fileURLWithPath: queryEmbeddings), labels: .none))
        } else if !text.isEmpty || textList != nil {
            queries = .texts(try text + (textList.map { try Self.lines(of: $0) } ?? []))
        } else {
            let files = (query + (try queryList.map { try Self.lines(of: $0) } ?? [])).map { URL(fileURLWithPath: $0) }
            queryFiles = files
            queries = .images(files)
        }
        let queryModel: SearchTask.QueryModel?
        if model.model.isEmpty {
            queryModel = nil
        } else if namesBothTowers(model.model) || !text.isEmpty || textList != nil {
            queryModel = .twoTower(try model.twoTowerSpec(tokenizer: tokenizer))
        } else {
            queryModel = .image(try model.imageSpec())
        }
        let task = try SearchTask(index: index, queries: queries, model: queryModel, k: k, poolingGiven: model.embedding.poolingGiven)
        let context = try output.context(batchSize: model.embedding.batchSize, data: data)
        let report = try task.run(context)
        try output.emit(report, text: report.text())
        if let html {
            let images = try thumbnailSource(index, context: context)
            let page = SearchPage.make(report: report, queryFiles: queryFiles, images: images, limits: context.imageLimits)
            if let mismatch = page.imagesMismatch {
                printWarning("--html: no thumbnails of the hits: \(mismatch) (another split or dataset than the index's?)")
            }
            try page.write(to: html)
        }
    }

    /// The images behind the index's ids: --dataset, else the dataset its manifest names when it can be opened here.
    func thumbnailSource(_ index: SearchIndex, context: EvaluationContext) throws -> Dataset? {
        if let selection = try data.selection() { return try selection.load() }
        guard let made = index.record?.dataset else {
            printWarning("--html: no thumbnails of the hits (the index names no dataset; give --dataset)")
            return nil
        }
        do {
            return try DatasetSelection(made.spec, split: made.split).load()
        } catch {
            printWarning("--html: no thumbnails of the hits: the index's dataset '\(made.spec)' cannot be opened here (\(error)); give --dataset")
            return nil
        }
    }

    /// The non-empty lines of a list file.
    static func lines(of path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("'\(path)': cannot read it as UTF-8 text (expected one query per line)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw ValidationError("'\(path)' holds no queries (expected one per line)") }
        return lines
    }
}
