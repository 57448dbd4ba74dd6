/// The numeric layer (`Matrix`, `BLAS`, `NearestNeighbors`, `SeededGenerator`, `Parallel`) is its own module, kept in
/// the Swift 5 language mode; `import Embeval` brings it along.
@_exported import EmbevalMath
