// The optimizers' update rules (Keras 3) checked against steps worked out by hand in double
// precision, per-tensor clipnorm, the moment-buffer sizes and the learning-rate schedules.
#include "kernels/update.h"
#include "optim/optimizer.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

using mnisttrain::optim::OptimizerSettings;
using mnisttrain::optim::OptimizerType;
using mnisttrain::optim::ScheduleType;
using mnisttrain::optim::Optimizer;
using mnisttrain::nn::ParamTensor;
using mnisttrain::optim::learning_rate_at;

namespace {

// The optimizer runs in float, the expectations are double: a few ulps of float apart.
Approx near(double expected) { return Approx(expected).epsilon(1e-6).margin(1e-9); }

OptimizerSettings make(OptimizerType type, double learning_rate) {
  OptimizerSettings c;
  c.type = type;
  c.learning_rate = learning_rate;
  return c;
}

// The three gradients fed in turn to every two-element test below, starting from w0.
constexpr double kW0[2] = {1.0, -2.0};
constexpr double kG[3][2] = {{0.5, 0.1}, {-0.3, 0.2}, {0.4, -0.6}};

// Drives an optimizer over the two-element buffer (one tensor covering it).
struct OptimizerRun {
  Optimizer optimizer;
  std::vector<float> w{static_cast<float>(kW0[0]), static_cast<float>(kW0[1])};
  std::vector<ParamTensor> tensors{{"w", 0, 2}};

  explicit OptimizerRun(const OptimizerSettings& c) : optimizer(c, 2) {}

  void step(int k, float lr) {
    std::vector<float> g{static_cast<float>(kG[k][0]), static_cast<float>(kG[k][1])};
    optimizer.step(w.data(), g.data(), lr, tensors);
  }
};

}  // namespace

TEST_CASE("sgd without momentum: w -= lr * g", "[optim]") {
  OptimizerRun run(make(OptimizerType::Sgd, 0.1));
  CHECK(run.optimizer.state().empty());
  run.step(0, 0.1f);
  // 1 - 0.1*0.5 = 0.95;  -2 - 0.1*0.1 = -2.01
  CHECK(run.w[0] == near(0.95));
  CHECK(run.w[1] == near(-2.01));
  run.step(1, 0.1f);
  // 0.95 + 0.03 = 0.98;  -2.01 - 0.02 = -2.03
  CHECK(run.w[0] == near(0.98));
  CHECK(run.w[1] == near(-2.03));
  // The rate passed to step() is the one used (the schedule lives outside the optimizer).
  run.step(2, 0.5f);
  // 0.98 - 0.5*0.4 = 0.78;  -2.03 + 0.5*0.6 = -1.73
  CHECK(run.w[0] == near(0.78));
  CHECK(run.w[1] == near(-1.73));
  CHECK(run.optimizer.iterations() == 3);
}

TEST_CASE("sgd with momentum: m = mu*m - lr*g, then w += m", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Sgd, 0.1);
  c.momentum = 0.9;
  OptimizerRun run(c);
  REQUIRE(run.optimizer.state().size() == 2);
  // step 1: m = [-0.05, -0.01];           w = [0.95, -2.01]
  run.step(0, 0.1f);
  CHECK(run.optimizer.state()[0] == near(-0.05));
  CHECK(run.optimizer.state()[1] == near(-0.01));
  CHECK(run.w[0] == near(0.95));
  CHECK(run.w[1] == near(-2.01));
  // step 2: m = 0.9*m - 0.1*g = [-0.045 + 0.03, -0.009 - 0.02] = [-0.015, -0.029]
  //         w = [0.935, -2.039]
  run.step(1, 0.1f);
  CHECK(run.optimizer.state()[0] == near(-0.015));
  CHECK(run.optimizer.state()[1] == near(-0.029));
  CHECK(run.w[0] == near(0.935));
  CHECK(run.w[1] == near(-2.039));
  // step 3: m = [-0.0135 - 0.04, -0.0261 + 0.06] = [-0.0535, 0.0339];  w = [0.8815, -2.0051]
  run.step(2, 0.1f);
  CHECK(run.optimizer.state()[0] == near(-0.0535));
  CHECK(run.optimizer.state()[1] == near(0.0339));
  CHECK(run.w[0] == near(0.8815));
  CHECK(run.w[1] == near(-2.0051));
}

TEST_CASE("sgd with nesterov momentum: m = mu*m - lr*g, then w += mu*m - lr*g", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Sgd, 0.1);
  c.momentum = 0.9;
  c.nesterov = true;
  OptimizerRun run(c);
  REQUIRE(run.optimizer.state().size() == 2);
  // step 1: m = [-0.05, -0.01];  w = [1 - 0.045 - 0.05, -2 - 0.009 - 0.01] = [0.905, -2.019]
  run.step(0, 0.1f);
  CHECK(run.optimizer.state()[0] == near(-0.05));
  CHECK(run.w[0] == near(0.905));
  CHECK(run.w[1] == near(-2.019));
  // step 2: m = [-0.015, -0.029];  w += [-0.0135 + 0.03, -0.0261 - 0.02] -> [0.9215, -2.0651]
  run.step(1, 0.1f);
  CHECK(run.optimizer.state()[1] == near(-0.029));
  CHECK(run.w[0] == near(0.9215));
  CHECK(run.w[1] == near(-2.0651));
  // step 3: m = [-0.0535, 0.0339]; w += [-0.04815 - 0.04, 0.03051 + 0.06] -> [0.83335, -1.97459]
  run.step(2, 0.1f);
  CHECK(run.w[0] == near(0.83335));
  CHECK(run.w[1] == near(-1.97459));
}

TEST_CASE("rmsprop: v = rho*v + (1-rho)*g^2, then w -= lr*g/sqrt(v + eps)", "[optim]") {
  // A large epsilon, so that eps inside the square root (Keras 3) and eps added after it
  // (Keras 2 / TF1) give clearly different numbers.
  OptimizerSettings c = make(OptimizerType::Rmsprop, 0.1);
  c.rho = 0.8;
  c.epsilon = 0.01;
  OptimizerRun run(c);
  REQUIRE(run.optimizer.state().size() == 2);

  double w[2] = {kW0[0], kW0[1]};
  double v[2] = {0.0, 0.0};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 2; ++i) {
      v[i] = 0.8 * v[i] + 0.2 * kG[k][i] * kG[k][i];
      w[i] -= 0.1 * kG[k][i] / std::sqrt(v[i] + 0.01);
    }
    run.step(k, 0.1f);
    INFO("step " << k + 1);
    CHECK(run.optimizer.state()[0] == near(v[0]));
    CHECK(run.optimizer.state()[1] == near(v[1]));
    CHECK(run.w[0] == near(w[0]));
    CHECK(run.w[1] == near(w[1]));
  }
  // Step 1 written out: v = [0.2*0.25, 0.2*0.01] = [0.05, 0.002];
  // w = [1 - 0.05/sqrt(0.06), -2 - 0.01/sqrt(0.012)] = [0.795876.., -2.091287..]
  OptimizerRun first(c);
  first.step(0, 0.1f);
  CHECK(first.w[0] == near(1.0 - 0.05 / std::sqrt(0.06)));
  CHECK(first.w[0] == near(0.7958758548));
  CHECK(first.w[1] == near(-2.0912870929));
  // Not the "eps outside the root" variant: 1 - 0.05/(sqrt(0.05) + 0.01) = 0.785977..
  CHECK(first.w[0] != near(1.0 - 0.05 / (std::sqrt(0.05) + 0.01)));
}

TEST_CASE("rmsprop's vector update equals the plain rule bit for bit, blank chunks of 16 included", "[optim]") {
  // 333 elements: chunks of 16 with every gradient non-zero, one non-zero, none (a blank pixel's
  // row: only v decays), and a tail of 13 that goes through the plain loop.
  const std::size_t n = 333;
  std::vector<float> w(n), g(n), v(n);
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = 0.01f * static_cast<float>(std::sin(0.7 * static_cast<double>(i)));
    v[i] = 1e-4f * static_cast<float>(i % 7);
    const std::size_t chunk = i / 16;
    const bool lit = chunk % 3 == 0 || (chunk % 3 == 1 && i % 16 == 5);
    g[i] = lit ? 1e-3f * static_cast<float>(std::cos(1.3 * static_cast<double>(i))) : 0.0f;
  }
  std::vector<float> w_plain = w, v_plain = v;
  const float lr = 0.001f, rho = 0.9f, eps = 1e-7f;
  for (int step = 0; step < 3; ++step) {
    mnisttrain::kernels::rmsprop_update(w.data(), g.data(), v.data(), n, lr, rho, eps);
    mnisttrain::kernels::rmsprop_elements(w_plain.data(), g.data(), v_plain.data(), n, lr, rho, eps);
  }
  CHECK(std::memcmp(w.data(), w_plain.data(), n * sizeof(float)) == 0);
  CHECK(std::memcmp(v.data(), v_plain.data(), n * sizeof(float)) == 0);
  CHECK(w[16 * 2] == w_plain[16 * 2]);  // a blank chunk's weight stays
  CHECK(v[16 * 2] == Approx(1e-4f * (32 % 7) * 0.9f * 0.9f * 0.9f));
}

TEST_CASE("rmsprop with momentum: mom = mu*mom + lr*g/sqrt(v + eps), then w -= mom", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Rmsprop, 0.1);
  c.rho = 0.8;
  c.epsilon = 0.01;
  c.momentum = 0.5;
  OptimizerRun run(c);
  // Two moments: v in [0, n), the momentum in [n, 2n).
  REQUIRE(run.optimizer.state().size() == 4);

  double w[2] = {kW0[0], kW0[1]};
  double v[2] = {0.0, 0.0};
  double mom[2] = {0.0, 0.0};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 2; ++i) {
      v[i] = 0.8 * v[i] + 0.2 * kG[k][i] * kG[k][i];
      mom[i] = 0.5 * mom[i] + 0.1 * kG[k][i] / std::sqrt(v[i] + 0.01);
      w[i] -= mom[i];
    }
    run.step(k, 0.1f);
    INFO("step " << k + 1);
    CHECK(run.optimizer.state()[0] == near(v[0]));
    CHECK(run.optimizer.state()[1] == near(v[1]));
    CHECK(run.optimizer.state()[2] == near(mom[0]));
    CHECK(run.optimizer.state()[3] == near(mom[1]));
    CHECK(run.w[0] == near(w[0]));
    CHECK(run.w[1] == near(w[1]));
  }
  // After step 2 the momentum differs from plain rmsprop: w0 = 1 - inc1 - (0.5*inc1 + inc2).
  const double inc1 = 0.05 / std::sqrt(0.06);
  const double v2 = 0.8 * 0.05 + 0.2 * 0.09;
  const double inc2 = 0.1 * -0.3 / std::sqrt(v2 + 0.01);
  OptimizerRun two(c);
  two.step(0, 0.1f);
  two.step(1, 0.1f);
  CHECK(two.w[0] == near(1.0 - inc1 - (0.5 * inc1 + inc2)));
}

TEST_CASE("adam: bias-corrected step size on steps 1 and 2", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Adam, 0.1);
  c.beta_1 = 0.8;
  c.beta_2 = 0.9;
  c.epsilon = 0.01;
  OptimizerRun run(c);
  REQUIRE(run.optimizer.state().size() == 4);  // m in [0, n), v in [n, 2n)

  // Step 1: m = 0.2*g, v = 0.1*g^2, alpha = 0.1*sqrt(1 - 0.9)/(1 - 0.8)
  const double alpha1 = 0.1 * std::sqrt(1.0 - 0.9) / (1.0 - 0.8);
  double m[2], v[2], w[2];
  for (int i = 0; i < 2; ++i) {
    m[i] = 0.2 * kG[0][i];
    v[i] = 0.1 * kG[0][i] * kG[0][i];
    w[i] = kW0[i] - alpha1 * m[i] / (std::sqrt(v[i]) + 0.01);
  }
  run.step(0, 0.1f);
  CHECK(run.optimizer.iterations() == 1);
  CHECK(run.optimizer.state()[0] == near(0.1));    // 0.2 * 0.5
  CHECK(run.optimizer.state()[1] == near(0.02));   // 0.2 * 0.1
  CHECK(run.optimizer.state()[2] == near(0.025));  // 0.1 * 0.25
  CHECK(run.optimizer.state()[3] == near(0.001));  // 0.1 * 0.01
  CHECK(run.w[0] == near(w[0]));
  CHECK(run.w[1] == near(w[1]));
  // Worked out: alpha1 = 0.1*0.316228/0.2 = 0.158114; w0 = 1 - 0.158114*0.1/(0.158114+0.01)
  CHECK(run.w[0] == near(0.9059483487));

  // Step 2: m = 0.8*m + 0.2*g, v = 0.9*v + 0.1*g^2, alpha = 0.1*sqrt(1 - 0.81)/(1 - 0.64)
  const double alpha2 = 0.1 * std::sqrt(1.0 - 0.81) / (1.0 - 0.64);
  for (int i = 0; i < 2; ++i) {
    m[i] = 0.8 * m[i] + 0.2 * kG[1][i];
    v[i] = 0.9 * v[i] + 0.1 * kG[1][i] * kG[1][i];
    w[i] -= alpha2 * m[i] / (std::sqrt(v[i]) + 0.01);
  }
  run.step(1, 0.1f);
  CHECK(run.optimizer.iterations() == 2);
  CHECK(run.optimizer.state()[0] == near(m[0]));
  CHECK(run.optimizer.state()[1] == near(m[1]));
  CHECK(run.optimizer.state()[2] == near(v[0]));
  CHECK(run.optimizer.state()[3] == near(v[1]));
  CHECK(run.w[0] == near(w[0]));
  CHECK(run.w[1] == near(w[1]));
  // Without bias correction on step 2 the result would be clearly different.
  CHECK(run.w[0] != near(0.9059483487 - 0.1 * m[0] / (std::sqrt(v[0]) + 0.01)));
}

TEST_CASE("adam's first step with Keras defaults moves each weight by about lr", "[optim]") {
  // m_hat = g and v_hat = g^2 on step 1, so the update is lr * g/(|g| + eps_hat) ~ lr*sign(g).
  Optimizer adam(make(OptimizerType::Adam, 0.001), 3);
  std::vector<float> w{0.0f, 0.0f, 0.0f};
  std::vector<float> g{2.0f, -0.5f, 0.01f};
  adam.step(w.data(), g.data(), 0.001f, {{"w", 0, 3}});
  CHECK(w[0] == Approx(-0.001).epsilon(1e-4));
  CHECK(w[1] == Approx(0.001).epsilon(1e-4));
  CHECK(w[2] == Approx(-0.001).epsilon(1e-3));
}

TEST_CASE("adam resumed from its state and iteration count continues identically", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Adam, 0.1);
  OptimizerRun straight(c);
  straight.step(0, 0.1f);
  OptimizerRun resumed(c);
  resumed.w = straight.w;
  resumed.optimizer.state() = straight.optimizer.state();
  resumed.optimizer.set_iterations(straight.optimizer.iterations());
  straight.step(1, 0.1f);
  resumed.step(1, 0.1f);
  CHECK(resumed.w == straight.w);
  CHECK(resumed.optimizer.state() == straight.optimizer.state());
  // Forgetting the count would redo step 1's bias correction and land elsewhere.
  OptimizerRun forgetful(c);
  forgetful.w = resumed.w;
  forgetful.optimizer.state() = straight.optimizer.state();
  OptimizerRun reference(c);
  reference.w = straight.w;
  reference.optimizer.state() = straight.optimizer.state();
  reference.optimizer.set_iterations(2);
  forgetful.step(2, 0.1f);
  reference.step(2, 0.1f);
  CHECK(forgetful.w[0] != reference.w[0]);
}

TEST_CASE("adamw: decoupled decay w -= w*wd*lr before the adam update", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Adamw, 0.1);
  c.beta_1 = 0.8;
  c.beta_2 = 0.9;
  c.epsilon = 0.01;
  c.weight_decay = 0.5;
  OptimizerRun run(c);
  REQUIRE(run.optimizer.state().size() == 4);

  double m[2] = {0.0, 0.0}, v[2] = {0.0, 0.0}, w[2] = {kW0[0], kW0[1]};
  for (int k = 0; k < 2; ++k) {
    const double t = k + 1;
    const double alpha = 0.1 * std::sqrt(1.0 - std::pow(0.9, t)) / (1.0 - std::pow(0.8, t));
    for (int i = 0; i < 2; ++i) {
      w[i] -= w[i] * 0.5 * 0.1;  // decay first, from the weight alone
      m[i] = 0.8 * m[i] + 0.2 * kG[k][i];  // the moments see the raw gradient
      v[i] = 0.9 * v[i] + 0.1 * kG[k][i] * kG[k][i];
      w[i] -= alpha * m[i] / (std::sqrt(v[i]) + 0.01);
    }
    run.step(k, 0.1f);
    INFO("step " << k + 1);
    CHECK(run.optimizer.state()[0] == near(m[0]));
    CHECK(run.optimizer.state()[2] == near(v[0]));
    CHECK(run.w[0] == near(w[0]));
    CHECK(run.w[1] == near(w[1]));
  }
  // Step 1 written out: 1*(1 - 0.05) = 0.95, then the adam step of the test above (0.0940532..)
  OptimizerRun first(c);
  first.step(0, 0.1f);
  CHECK(first.w[0] == near(0.95 - (1.0 - 0.9059483487)));
  // Adam with the same settings ignores weight_decay (Keras's Adam here has no decay).
  OptimizerSettings plain = c;
  plain.type = OptimizerType::Adam;
  OptimizerRun adam(plain);
  adam.step(0, 0.1f);
  CHECK(adam.w[0] == near(0.9059483487));
  // AdamW with weight_decay 0 is Adam.
  OptimizerSettings no_decay = c;
  no_decay.weight_decay = 0.0;
  OptimizerRun adamw0(no_decay);
  adamw0.step(0, 0.1f);
  CHECK(adamw0.w == adam.w);
}

TEST_CASE("clipnorm rescales each tensor over the norm on its own", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Sgd, 1.0);
  c.clipnorm = 1.0;
  Optimizer sgd(c, 5);
  std::vector<float> w(5, 0.0f);
  // Tensor A = [0, 2) with norm 5 (over the limit), B = [2, 3) with norm 0.5 (under it),
  // C = [3, 5) with norm exactly 1 (at the limit: left alone).
  std::vector<float> g{3.0f, 4.0f, 0.5f, 0.6f, -0.8f};
  sgd.step(w.data(), g.data(), 1.0f, {{"a", 0, 2}, {"b", 2, 1}, {"c", 3, 2}});
  // A is scaled by 1/5; a global norm (sqrt(25 + 0.25 + 1)) would have scaled B and C too.
  CHECK(g[0] == near(0.6));
  CHECK(g[1] == near(0.8));
  CHECK(g[2] == 0.5f);
  CHECK(g[3] == 0.6f);
  CHECK(g[4] == -0.8f);
  CHECK(w[0] == near(-0.6));
  CHECK(w[1] == near(-0.8));
  CHECK(w[2] == near(-0.5));
  CHECK(w[3] == near(-0.6));
  CHECK(w[4] == near(0.8));

  // clipnorm 0 is off: the same gradients go in unchanged.
  Optimizer unclipped(make(OptimizerType::Sgd, 1.0), 5);
  std::vector<float> w2(5, 0.0f);
  std::vector<float> g2{3.0f, 4.0f, 0.5f, 0.6f, -0.8f};
  unclipped.step(w2.data(), g2.data(), 1.0f, {{"a", 0, 2}, {"b", 2, 1}, {"c", 3, 2}});
  CHECK(w2[0] == -3.0f);
  CHECK(w2[1] == -4.0f);
}

TEST_CASE("clipnorm happens before the moments see the gradient", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Adam, 0.1);
  c.clipnorm = 0.5;
  Optimizer adam(c, 2);
  std::vector<float> w{1.0f, -2.0f};
  std::vector<float> g{3.0f, 4.0f};  // norm 5 -> [0.3, 0.4]
  adam.step(w.data(), g.data(), 0.1f, {{"w", 0, 2}});
  CHECK(adam.state()[0] == near(0.1 * 0.3));           // m = (1 - 0.9) * g_clipped
  CHECK(adam.state()[3] == near(0.001 * 0.4 * 0.4));   // v = (1 - 0.999) * g_clipped^2
}

TEST_CASE("state() holds one n-float buffer per moment", "[optim]") {
  const std::size_t n = 7;
  OptimizerSettings sgd = make(OptimizerType::Sgd, 0.01);
  CHECK(Optimizer(sgd, n).state().size() == 0);
  sgd.momentum = 0.9;
  CHECK(Optimizer(sgd, n).state().size() == n);
  sgd.nesterov = true;
  CHECK(Optimizer(sgd, n).state().size() == n);

  OptimizerSettings rmsprop = make(OptimizerType::Rmsprop, 0.001);
  CHECK(Optimizer(rmsprop, n).state().size() == n);
  rmsprop.momentum = 0.5;
  CHECK(Optimizer(rmsprop, n).state().size() == 2 * n);

  CHECK(Optimizer(make(OptimizerType::Adam, 0.001), n).state().size() == 2 * n);
  CHECK(Optimizer(make(OptimizerType::Adamw, 0.001), n).state().size() == 2 * n);

  // Zero at the start: a fresh run and a checkpoint of one agree.
  const Optimizer fresh(make(OptimizerType::Adam, 0.001), n);
  CHECK(fresh.state() == std::vector<float>(2 * n, 0.0f));
  CHECK(fresh.iterations() == 0);
}

TEST_CASE("learning_rate_at: constant", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Sgd, 0.05);
  CHECK(learning_rate_at(c, 0, 100) == near(0.05));
  CHECK(learning_rate_at(c, 99, 100) == near(0.05));
  CHECK(learning_rate_at(c, 12345, 100) == near(0.05));
}

TEST_CASE("learning_rate_at: step is lr0 * rate^floor(t / steps)", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Sgd, 0.1);
  c.schedule.type = ScheduleType::Step;
  c.schedule.decay_steps = 10;
  c.schedule.decay_rate = 0.5;
  CHECK(learning_rate_at(c, 0, 1000) == near(0.1));
  CHECK(learning_rate_at(c, 9, 1000) == near(0.1));     // floor(0.9) = 0
  CHECK(learning_rate_at(c, 10, 1000) == near(0.05));   // floor(1.0) = 1
  CHECK(learning_rate_at(c, 19, 1000) == near(0.05));
  CHECK(learning_rate_at(c, 25, 1000) == near(0.025));  // floor(2.5) = 2
  CHECK(learning_rate_at(c, 100, 1000) == near(0.1 / 1024.0));
}

TEST_CASE("learning_rate_at: exponential is lr0 * rate^(t / steps)", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Sgd, 0.1);
  c.schedule.type = ScheduleType::Exponential;
  c.schedule.decay_steps = 10;
  c.schedule.decay_rate = 0.5;
  CHECK(learning_rate_at(c, 0, 1000) == near(0.1));
  CHECK(learning_rate_at(c, 5, 1000) == near(0.1 * std::sqrt(0.5)));  // 0.0707106..
  CHECK(learning_rate_at(c, 5, 1000) == near(0.0707106781));
  CHECK(learning_rate_at(c, 10, 1000) == near(0.05));
  CHECK(learning_rate_at(c, 25, 1000) == near(0.1 * std::pow(0.5, 2.5)));  // not staircase
  CHECK(learning_rate_at(c, 25, 1000) != near(0.025));
}

TEST_CASE("learning_rate_at: cosine with alpha, clamped after decay_steps", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Adam, 0.1);
  c.schedule.type = ScheduleType::Cosine;
  c.schedule.decay_steps = 100;
  c.schedule.alpha = 0.2;
  // lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * t / T)) + alpha)
  CHECK(learning_rate_at(c, 0, 1000) == near(0.1));
  CHECK(learning_rate_at(c, 25, 1000) == near(0.1 * (0.8 * 0.5 * (1.0 + std::sqrt(0.5)) + 0.2)));
  CHECK(learning_rate_at(c, 25, 1000) == near(0.0882842712));
  CHECK(learning_rate_at(c, 50, 1000) == near(0.06));  // 0.1 * (0.8 * 0.5 + 0.2)
  CHECK(learning_rate_at(c, 100, 1000) == near(0.02));  // the floor: alpha * lr0
  CHECK(learning_rate_at(c, 150, 1000) == near(0.02));  // stays there
  // decay_steps is set, so total_steps does not matter.
  CHECK(learning_rate_at(c, 50, 60) == near(0.06));
}

TEST_CASE("learning_rate_at: cosine with decay_steps 0 decays over total_steps", "[optim]") {
  OptimizerSettings c = make(OptimizerType::Adam, 0.1);
  c.schedule.type = ScheduleType::Cosine;
  c.schedule.decay_steps = 0;
  c.schedule.alpha = 0.0;
  CHECK(learning_rate_at(c, 0, 200) == near(0.1));
  CHECK(learning_rate_at(c, 50, 200) == near(0.1 * 0.5 * (1.0 + std::sqrt(0.5))));  // 0.0853553..
  CHECK(learning_rate_at(c, 100, 200) == near(0.05));
  CHECK(learning_rate_at(c, 200, 200) == Approx(0.0).margin(1e-9));
  // The same step of a longer run is earlier in its decay.
  CHECK(learning_rate_at(c, 100, 400) == near(0.1 * 0.5 * (1.0 + std::sqrt(0.5))));
  c.schedule.alpha = 0.1;
  CHECK(learning_rate_at(c, 100, 200) == near(0.1 * (0.9 * 0.5 + 0.1)));
  CHECK(learning_rate_at(c, 200, 200) == near(0.01));
}
