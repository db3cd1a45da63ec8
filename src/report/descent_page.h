// The gradient-descent page: for each learning rate, the function's curve with the visited
// points (x_k, f(x_k)) joined in order, as the notes' matplotlib figure, side by side.
#pragma once

#include "descent/descent.h"

#include <string>
#include <vector>

namespace mnisttrain::report {

std::string descent_page(const descent::Function& function, double x0, int steps,
                         const std::vector<descent::Path>& paths);

}  // namespace mnisttrain::report
