// random_host_check.cu: prints sample_f32 of random.cu, computed on the host, as hex float bits, one per line, so
// check-random-host.sh can compare them with the Java twin (RandomKey.sample) without a GPU.
// Usage: random_host_check <key0> <key1> <dist code> <count> <first element>
#include "../../main/cuda/random.cu"
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s key0 key1 dist count first\n", argv[0]);
        return 2;
    }
    const unsigned int key0 = (unsigned int)std::strtoll(argv[1], nullptr, 10);
    const unsigned int key1 = (unsigned int)std::strtoll(argv[2], nullptr, 10);
    const int dist = std::atoi(argv[3]);
    const long long count = std::atoll(argv[4]), first = std::atoll(argv[5]);
    for (long long e = first; e < first + count; ++e) {
        std::printf("%08x\n", FLOAT_BITS(sample_f32(key0, key1, (unsigned long long)e, dist)));
    }
    return 0;
}
