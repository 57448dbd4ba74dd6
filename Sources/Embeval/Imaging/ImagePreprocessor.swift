/// Turns a decoded image into the model's input tensor exactly as the Hugging Face image processor (Pillow
/// backend) does: resize, centre crop, rescale (uint8 × factor in float64, stored as float32), then
/// normalise in float32 `(x - mean) / std`.
public struct ImagePreprocessor: Sendable {
    public let config: PreprocessorConfig

    public init(config: PreprocessorConfig, overrides: PreprocessorOverrides = PreprocessorOverrides()) {
        self.config = config.applying(overrides)
    }

    /// Reads `preprocessor_config.json` at `path` and applies the overrides.
    public init(configAt path: String, overrides: PreprocessorOverrides = PreprocessorOverrides()) throws {
        self.init(config: try PreprocessorConfig(contentsOf: path), overrides: overrides)
    }

    /// The most pixels a resized image, or the model input made from an image, may have before it is refused
    /// (4096², 48 MiB of RGB and 192 MiB of float32 input).
    public static let largestResizedArea = 4096 * 4096

    /// Refuses an image whose preprocessing would allocate an absurd amount, before anything is allocated for it:
    /// a resize target past the bound (an extreme aspect ratio under shortest-edge resizing), or a model input past
    /// it (an image kept at its own size when `do_resize` is false, or a crop larger than the image, padded).
    public func checkSize(width: Int, height: Int, path: String) throws {
        func exceeds(_ h: Int, _ w: Int) -> Bool {
            let (area, overflow) = h.multipliedReportingOverflow(by: w)
            return overflow || area > Self.largestResizedArea
        }
        if config.doResize {
            let (h, w) = resizeTarget(width: width, height: height)
            if exceeds(h, w) {
                // A size that is too large for a square image is the setting's fault, not the image's shape.
                let (sh, sw) = resizeTarget(width: 1000, height: 1000)
                let cause = exceeds(sh, sw) ? "the preprocessing's size is too large (set a smaller --image-size or --resize)"
                    : "its aspect ratio is too extreme for this preprocessing"
                throw ImageError.invalidLimit("image '\(path)' (\(width)×\(height)) would be resized to \(w)×\(h), more than \(Self.largestResizedArea) pixels: \(cause)")
            }
        }
        let (h, w) = outputSize(width: width, height: height)
        if exceeds(h, w) {
            let cause = config.doCenterCrop && config.cropSize != nil ? "the crop is" : "do_resize is false, so the image is kept at"
            throw ImageError.invalidLimit("image '\(path)' (\(width)×\(height)) would give a \(w)×\(h) model input, more than \(Self.largestResizedArea) pixels (\(cause) that size): set --image-size or --crop")
        }
    }

    /// (height, width) of the tensor `process` returns for an image of the given size.
    public func outputSize(width: Int, height: Int) -> (height: Int, width: Int) {
        var size = config.doResize ? resizeTarget(width: width, height: height) : (height, width)
        if config.doCenterCrop, let crop = config.cropSize { size = crop }
        return size
    }

    /// The reduced JPEG decode that keeps an image at least as large as this preprocessing resizes it to
    /// (`--jpeg-draft`); nil when it does not resize.
    public var jpegDraft: JPEGDraft? {
        guard config.doResize else { return nil }
        let preprocessor = self
        return JPEGDraft { width, height in
            let (h, w) = preprocessor.resizeTarget(width: width, height: height)
            return (w, h)
        }
    }

    /// The resized and cropped uint8 image, before rescaling and normalisation.
    public func geometry(_ image: RGBImage) -> RGBImage {
        var image = image
        if config.doResize {
            let (h, w) = resizeTarget(width: image.width, height: image.height)
            image = resize(image, width: w, height: h, resampling: config.resample)
        }
        if config.doCenterCrop, let crop = config.cropSize {
            image = centerCrop(image, width: crop.width, height: crop.height)
        }
        return image
    }

    /// The model input for one image: 3×H×W floats, channel-major (CHW).
    public func process(_ image: RGBImage) -> [Float] {
        let image = geometry(image)
        let plane = image.width * image.height
        let table = lookupTables()
        var out = [Float](repeating: 0, count: 3 * plane)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    let lut = table[c]
                    for i in 0..<plane { dst[c * plane + i] = lut[Int(src[3 * i + c])] }
                }
            }
        }
        return out
    }

    /// Every uint8 value's output per channel, computed with HF's exact float32/float64 order of operations.
    func lookupTables() -> [[Float]] {
        (0..<3).map { c in
            (0..<256).map { v in
                var x = config.doRescale ? Float(Double(v) * config.rescaleFactor) : Float(v)
                if config.doRescale && config.rescaleOffset { x -= 1 }
                if config.doNormalize {
                    x = (x - Float(config.imageMean[c])) / Float(config.imageStd[c])
                }
                if config.includeTop { x /= Float(config.imageStd[c]) }
                return x
            }
        }
    }

    /// HF's output (height, width) for the resize step.
    func resizeTarget(width: Int, height: Int) -> (Int, Int) {
        switch config.size {
        case let .exact(h, w):
            return (h, w)
        case let .shortestEdge(size, nil):
            // transformers' get_resize_output_image_size(default_to_square=False): long = int(size * long / short).
            let short = max(min(width, height), 1), long = max(width, height)
            let newLong = max(1, Int(min(Double(size) * Double(long) / Double(short), 1e12)))
            return width <= height ? (newLong, size) : (size, newLong)
        case let .shortestEdge(size, longest?):
            return sizeWithAspectRatio(height: height, width: width, size: size, maxSize: longest)
        }
    }

    /// transformers' get_size_with_aspect_ratio (shortest_edge with longest_edge).
    private func sizeWithAspectRatio(height: Int, width: Int, size: Int, maxSize: Int) -> (Int, Int) {
        var size = size
        var raw: Double? = nil
        let minSide = Double(max(min(height, width), 1)), maxSide = Double(max(height, width))
        if maxSide / minSide * Double(size) > Double(maxSize) {
            raw = Double(maxSize) * minSide / maxSide
            size = max(1, Int((raw ?? 1).rounded(.toNearestOrEven)))
        }
        if (height <= width && height == size) || (width <= height && width == size) { return (height, width) }
        if width < height {
            let oh = raw.map { Int($0 * Double(height) / Double(width)) } ?? Int(Double(size * height) / Double(width))
            return (max(oh, 1), size)
        }
        let ow = raw.map { Int($0 * Double(width) / Double(height)) } ?? Int(Double(size * width) / Double(height))
        return (size, max(ow, 1))
    }
}
