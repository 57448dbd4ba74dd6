// Thin C shims over libjpeg-turbo and libpng (filled in by the Imaging layer).
#pragma once
