// Spin-then-sleep worker pool; see pool.h.
#include "kernels/pool.h"

#include <chrono>

namespace mnisttrain::kernels {

namespace {

// How long a waiting thread spins before it sleeps. A training step's phases follow each
// other within microseconds, so a short spin catches them; longer spins only burn a vCPU the
// hypervisor may then take away.
constexpr auto kSpin = std::chrono::microseconds(50);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins until done() holds or kSpin passes; returns done().
template <typename Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return done();
  }
}

}  // namespace

WorkerPool::WorkerPool(int threads) : threads_(threads < 1 ? 1 : threads) {
  for (int ith = 1; ith < threads_; ++ith) workers_.emplace_back([this, ith] { worker_loop(ith); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  wake_workers_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void WorkerPool::dispatch(void* task, Trampoline call) {
  task_ = task;
  call_ = call;
  pending_.store(threads_ - 1);
  // seq_cst store/load pairs with the sleeper's increment-then-recheck: either the worker sees
  // the new generation or this thread sees the sleeper and wakes it.
  generation_.fetch_add(1);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_workers_.notify_all();
  }
  call(task, 0, threads_);
  const auto finished_share = std::chrono::steady_clock::now();
  if (!spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lock(mutex_);
    caller_sleeping_.store(true);
    wake_caller_.wait(lock, [this] { return pending_.load() == 0; });
    caller_sleeping_.store(false);
  }
  waited_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - finished_share).count();
}

void WorkerPool::worker_loop(int ith) {
  std::uint64_t seen = 0;
  for (;;) {
    if (!spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);
      wake_workers_.wait(lock, [&] { return generation_.load() != seen; });
      sleepers_.fetch_sub(1);
    }
    seen = generation_.load();
    if (stop_.load()) return;
    call_(task_, ith, threads_);
    if (pending_.fetch_sub(1) == 1 && caller_sleeping_.load()) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_caller_.notify_one();
    }
  }
}

}  // namespace mnisttrain::kernels
