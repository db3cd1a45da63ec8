// The Keras spelling of each optimizer enum, defined once for the parser and the messages.
#include "optim/settings.h"

namespace mnisttrain::optim {

const char* name_of(OptimizerType type) {
  switch (type) {
    case OptimizerType::Sgd: return "sgd";
    case OptimizerType::Rmsprop: return "rmsprop";
    case OptimizerType::Adam: return "adam";
    case OptimizerType::Adamw: return "adamw";
  }
  return "?";  // unreachable for valid enum values; keeps -Wreturn-type quiet
}

const char* name_of(ScheduleType type) {
  switch (type) {
    case ScheduleType::Constant: return "constant";
    case ScheduleType::Step: return "step";
    case ScheduleType::Exponential: return "exponential";
    case ScheduleType::Cosine: return "cosine";
  }
  return "?";
}

}  // namespace mnisttrain::optim
