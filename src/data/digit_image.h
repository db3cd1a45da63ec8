// Your own digit as the network expects it: a PGM (P5/P2) or PNG picture of any size, grey or
// colour, turned into an MNIST-style image the way the MNIST set was made: grey, light ink on
// a dark background (inverted when the background is light; paper set to black and the
// strongest ink to white), the ink's bounding box scaled to
// fit 20x20 keeping its aspect, placed in 28x28 so that its centre of mass is at the centre.
// A picture that already is 28x28 on a black border (what `show --pgm` writes) is taken as it is.
#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::data {

struct GreyImage {
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;  // rows * cols, row-major, 0 = black
};

// True when the file starts like a PGM ("P5"/"P2") or a PNG (its 8-byte signature).
bool is_picture_file(const std::string& path);

// Reads a PGM or PNG file as grey (colour through libpng's luminance, transparency composited
// onto white). Errors name the file and what is wrong.
GreyImage read_picture(const std::string& path);

// The MNIST preprocessing described above, into a `side` x `side` image (28 for MNIST) with
// the ink fitted into `box` x `box` (20). Throws if the picture holds no ink.
GreyImage mnist_style(const GreyImage& picture, int side = 28, int box = 20);

// The result as a one-image unlabelled Dataset, what predict takes.
Dataset picture_dataset(const std::string& path);

}  // namespace mnisttrain::data
