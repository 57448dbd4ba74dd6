// preprocessor_config.json (Imaging/PreprocessorConfig.swift): the bytes parsed as a config; when it parses, the
// preprocessor it makes is run on a 3×2 image, as `embeval` would on the first image of a dataset: checked by
// `checkSize` first, as `OnnxImageModel.prepare` does.
import Embeval
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPreprocessor(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let config = try? PreprocessorConfig(json: Data(FuzzInput.bytes(data, size)), path: "fuzz.json") else { return 0 }
    let preprocessor = ImagePreprocessor(config: config)
    guard (try? preprocessor.checkSize(width: 3, height: 2, path: "fuzz.png")) != nil else { return 0 }
    _ = preprocessor.outputSize(width: 3, height: 2)
    _ = preprocessor.process(RGBImage(width: 3, height: 2, pixels: (0..<18).map { UInt8($0 * 14) }))
    return 0
}
