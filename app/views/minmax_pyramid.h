// MinMaxPyramid: a 2-D matrix reduced level by level (each level halves rows and columns) keeping each
// cell's min and max value, min and max quantization error and whether any element was clipped, so a
// single outlier is never averaged away at any zoom. Pure: no GUI, no threads; the app builds it in a job.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace qv {

// One level: cell (i, j) covers matrix rows [i·2^k, (i+1)·2^k) and columns [j·2^k, (j+1)·2^k) clipped
// to the matrix, k = the level's index. Cells with no finite value hold vmin = vmax = 0 and empty = 1.
struct PyramidLevel {
    int64_t rows = 0, cols = 0;
    std::vector<float> vmin, vmax;   // value extremes
    std::vector<float> emin, emax;   // signed error (x̂ − x) extremes; 0 when no error was fed
    std::vector<uint8_t> clipped;    // 1: some element of the cell saturated
    std::vector<uint8_t> empty;      // 1: no finite element in the cell
    size_t index(int64_t r, int64_t c) const { return size_t(r * cols + c); }
};

struct MinMaxPyramid {
    // Levels whose cell count exceeds this are not stored (the finest stored level is then built
    // directly from the streamed rows with 2^k × 2^k blocks); hover reads exact values from the tensor.
    static constexpr int64_t kMaxStoredCells = int64_t(1) << 21;  // ≈ 36 MiB for the finest stored level

    int64_t rows = 0, cols = 0;      // the matrix
    int firstLevel = 0;              // level number of levels[0]
    std::vector<PyramidLevel> levels;  // finest first; the last one is 1 × 1 (for a non-empty matrix)
    float absMax = 0;                // max |x| over finite values
    float errAbsMax = 0;             // max |x̂ − x|

    int topLevel() const { return firstLevel + int(levels.size()) - 1; }
    const PyramidLevel& level(int k) const { return levels[size_t(k - firstLevel)]; }
    // The coarsest stored level whose cells are no larger than `elementsPerPixel` elements on a side
    // (so the level has at least as many cells as the screen has pixels), clamped to the stored levels.
    int levelFor(double elementsPerPixel) const;
};

// Max |x| and max |x̂ − x| over the finite values a worker has fed (merged by max: any order gives the same).
struct PyramidExtremes {
    float absMax = 0, errAbsMax = 0;
    void merge(const PyramidExtremes& o) {
        absMax = o.absMax > absMax ? o.absMax : absMax;
        errAbsMax = o.errAbsMax > errAbsMax ? o.errAbsMax : errAbsMax;
    }
};

// The pyramid built from rows fed in any order by several threads: addRow writes only the cells of its
// row's cell row (r >> firstLevel()), so rows of different cell rows may be added at the same time — a
// caller that hands each thread whole runs of rowsPerCell() rows needs no lock. Min and max do not depend
// on the order they are taken in, so the pyramid is the same for any thread count.
class PyramidBuilder {
public:
    PyramidBuilder(int64_t rows, int64_t cols, int64_t maxStoredCells = MinMaxPyramid::kMaxStoredCells);
    int firstLevel() const { return m_out.firstLevel; }
    int64_t rowsPerCell() const { return int64_t(1) << m_out.firstLevel; }
    // Row r: values[cols]; errors (x̂ − x) and clipped may be null (no quantizer). Non-finite values are
    // skipped (their cells stay empty if nothing else falls there).
    void addRow(int64_t r, const float* values, const float* errors, const uint8_t* clipped, PyramidExtremes& ext);
    // The coarser levels (2×2 reductions down to 1×1), with the workers' extremes merged into `ext`.
    MinMaxPyramid finish(const PyramidExtremes& ext);

private:
    MinMaxPyramid m_out;
    PyramidLevel m_first;
};

// Fills one matrix row: values[cols]; errors[cols] (x̂ − x) and clipped[cols] may be ignored by the
// source when it has no quantizer (they arrive zeroed). Returns false to abort (cancelled, read error).
using PyramidRowSource = std::function<bool(int64_t row, float* values, float* errors, uint8_t* clipped)>;

// Streams the rows once (O(elements), memory O(cols + stored cells)). Returns false if the source aborted.
bool buildMinMaxPyramid(int64_t rows, int64_t cols, const PyramidRowSource& source, MinMaxPyramid& out,
                        int64_t maxStoredCells = MinMaxPyramid::kMaxStoredCells);

// Convenience for tests: values (row-major), optional errors/clipped of the same size (or empty).
MinMaxPyramid buildMinMaxPyramid(const float* values, int64_t rows, int64_t cols, const float* errors = nullptr,
                                 const uint8_t* clipped = nullptr,
                                 int64_t maxStoredCells = MinMaxPyramid::kMaxStoredCells);

}  // namespace qv
