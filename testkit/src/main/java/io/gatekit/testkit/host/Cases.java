package io.gatekit.testkit.host;

/** What every group of conformance cases reaches: the fixture of the host under test. */
interface Cases {

    /** The host, its upstreams and the suite's recordings. */
    HostFixture fixture();
}
