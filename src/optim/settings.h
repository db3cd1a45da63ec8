// The optimizer's vocabulary: which update rule, its hyperparameters (Keras 3's names and
// defaults) and the learning-rate schedule. config/ parses JSON into these.
#pragma once

namespace mnisttrain::optim {

enum class OptimizerType { Sgd, Rmsprop, Adam, Adamw };
enum class ScheduleType { Constant, Step, Exponential, Cosine };

struct Schedule {
  ScheduleType type = ScheduleType::Constant;
  // All schedules count optimizer steps (batches), as Keras's LearningRateSchedule does.
  long decay_steps = 0;     // step/exponential: required > 0; cosine: 0 means "all of training"
  double decay_rate = 0.0;  // step: lr0 * rate^floor(t/steps); exponential: lr0 * rate^(t/steps)
  double alpha = 0.0;       // cosine: floor as a fraction of lr0
};

struct OptimizerSettings {
  OptimizerType type = OptimizerType::Rmsprop;
  // Keras defaults; the config parser fills in the per-type ones when a key is absent.
  double learning_rate = 0.001;
  double momentum = 0.0;       // sgd, rmsprop
  bool nesterov = false;       // sgd
  double rho = 0.9;            // rmsprop
  double beta_1 = 0.9;         // adam, adamw
  double beta_2 = 0.999;       // adam, adamw
  double epsilon = 1e-7;       // rmsprop, adam, adamw
  double weight_decay = 0.0;   // adamw (default 0.004 there)
  double clipnorm = 0.0;       // 0: off; otherwise clip each tensor's gradient norm (Keras)
  Schedule schedule;
};

// Names as Keras spells them ("rmsprop", "cosine", ...).
const char* name_of(OptimizerType type);
const char* name_of(ScheduleType type);

}  // namespace mnisttrain::optim
