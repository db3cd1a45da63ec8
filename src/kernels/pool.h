// The program's one owner of the cores: persistent workers that run a task as (ith, nth)
// partitions, the way ggml hands every op its thread index and count. The caller is thread 0;
// `run` returns when every thread has finished its part, so each call is also a barrier.
// Waiting threads spin briefly (a step's phases are microseconds apart) and then sleep: on a
// shared VM unbounded spinning gets a vCPU preempted, which costs far more than a wake-up.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace mnisttrain::kernels {

class WorkerPool {
 public:
  // threads >= 1; threads - 1 workers are started, the caller is the first thread.
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return threads_; }
  // Seconds the caller has spent waiting for the other threads after finishing its own share
  // (load imbalance and wake-up latency), summed over all runs: what `bench` reports as waiting.
  double waited_seconds() const { return waited_seconds_; }

  // Calls task(ith, nth) once for every ith in [0, nth) and returns when all calls are done.
  // Takes the task by reference and allocates nothing, so it can run inside the batch loop.
  template <typename Task>
  void run(Task& task) {
    if (threads_ == 1) {
      task(0, 1);
      return;
    }
    dispatch(&task, [](void* t, int ith, int nth) { (*static_cast<Task*>(t))(ith, nth); });
  }

 private:
  using Trampoline = void (*)(void*, int, int);
  void dispatch(void* task, Trampoline call);
  void worker_loop(int ith);

  int threads_;
  std::vector<std::thread> workers_;
  void* task_ = nullptr;
  Trampoline call_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stop_{false};
  double waited_seconds_ = 0.0;
  std::mutex mutex_;
  std::condition_variable wake_workers_;
  std::condition_variable wake_caller_;
};

}  // namespace mnisttrain::kernels
