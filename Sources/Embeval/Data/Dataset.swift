import Foundation

/// A labelled set of images: class names (label id = index), and the samples in dataset order.
public struct Dataset: Sendable {
    /// How the user named it (`fashion-mnist`, a folder, a manifest path).
    public var name: String
    public var split: String?
    public var classes: [String]
    public var samples: [Sample]
    /// What the user should know about how the dataset was read (files left out, empty classes, a subset larger than
    /// the set); evaluations pass them on as warnings.
    public var warnings: [String] = []
    /// False for a set without labels (a manifest of captioned images with no label column): only label-free
    /// protocols (image ↔ text retrieval, agreement, maps) can use it.
    public var isLabelled = true
    /// A file of prompt templates that came with the dataset (CLIP_benchmark keeps
    /// `zeroshot_classification_templates.txt` beside its shards); zero-shot uses it when no template is given. Read
    /// only there, so that a bad file stops only the runs that need it.
    public var templatesFile: URL?

    public init(name: String, split: String?, classes: [String], samples: [Sample]) {
        self.name = name
        self.split = split
        self.classes = classes
        self.samples = samples
    }

    public var labels: [Int] { samples.map(\.label) }
    public var ids: [String] { samples.map(\.id) }

    /// A seeded random subset of `count` samples, kept in dataset order.
    ///
    /// The subset is the first `count` entries of `SeededGenerator(seed).permutation(samples.count)` (SplitMix64,
    /// Fisher–Yates), sorted ascending — reproducible in any language from the seed.
    public func sampled(_ count: Int, seed: UInt64) -> Dataset {
        guard count < samples.count else {
            var all = self
            if count > samples.count {
                all.warnings.append("--samples \(count) is more than the \(samples.count) samples of dataset '\(name)'\(split.map { " (\($0))" } ?? ""): all are used")
            }
            return all
        }
        var generator = SeededGenerator(seed: seed)
        let chosen = generator.permutation(samples.count).prefix(count).sorted()
        var out = self
        out.samples = chosen.map { samples[$0] }
        return out
    }
}

/// One image of a dataset: a stable id (path relative to the dataset root, or the index in an IDX file), its label
/// id, and where its pixels come from.
public struct Sample: Sendable {
    public var id: String
    public var label: Int
    public var source: ImageSource
    /// The image's captions, for image ↔ text retrieval (a manifest's caption column, a WebDataset sample's `.txt`).
    public var captions: [String] = []

    public init(id: String, label: Int, source: ImageSource, captions: [String] = []) {
        self.id = id
        self.label = label
        self.source = source
        self.captions = captions
    }
}

/// Where a sample's pixels are: an image file, one image of an in-memory array (IDX, CIFAR batches), or encoded
/// image bytes held inside a container file (a parquet or Arrow column, a tar member), read when needed.
public enum ImageSource: Sendable {
    case file(URL)
    case array(ImageArray, index: Int)
    case encoded(any EncodedImageStore, index: Int)
}

/// A container of encoded images (JPEG/PNG/WebP bytes): parquet shards, Arrow files, WebDataset tars. It reads one
/// image's bytes on demand, so a dataset of millions of images never holds them all in memory; an implementation
/// may cache what it read last (a parquet row group), and must be safe to call from several threads.
public protocol EncodedImageStore: Sendable {
    /// The encoded bytes of image `index`.
    func bytes(at index: Int) throws -> [UInt8]
    /// Where image `index` lives, for messages: `shard-00003.parquet row 1207`, `test-000.tar member 0042.png`.
    func location(of index: Int) -> String
}

/// Equally sized 8-bit images held in one buffer: grayscale (1 channel, as IDX files store them) or RGB
/// (3 channels, interleaved), row by row.
public final class ImageArray: Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && (channels == 1 || channels == 3))
        precondition(pixels.count % (width * height * channels) == 0)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public var count: Int { pixels.count / (width * height * channels) }

    /// Image `i`'s own bytes (H·W·channels).
    public func bytes(_ i: Int) -> ArraySlice<UInt8> {
        let n = width * height * channels
        return pixels[(i * n)..<((i + 1) * n)]
    }

    /// Image `i` as RGB; gray values are replicated into R, G and B (Pillow's `convert("RGB")` of mode L).
    public func rgbImage(_ i: Int) -> RGBImage {
        channels == 3 ? RGBImage(width: width, height: height, pixels: Array(bytes(i)))
            : RGBImage(width: width, height: height, grayscale: Array(bytes(i)))
    }
}
