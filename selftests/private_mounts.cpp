// Every selftests process runs in a private mount namespace, so the bpffs its
// Directors mount (testkit/bpffs.h) vanish with it even when it is killed (a
// ctest timeout, a Ctrl-C): before, each such kill left a
// /tmp/selftests-bpffs-* mounted for good. Children (test_kill.cpp's lvs-xdp
// runs) share the namespace and see the mounts.
#include <gtest/gtest.h>

#include "testkit/bpffs.h"

namespace {

class PrivateMounts : public ::testing::Environment {
public:
    void SetUp() override { lvs::testkit::enter_private_mount_namespace(); }
};

[[maybe_unused]] const auto* const kPrivateMounts = ::testing::AddGlobalTestEnvironment(new PrivateMounts);

}  // namespace
