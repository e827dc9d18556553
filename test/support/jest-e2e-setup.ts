// End-to-end suites talk to real processes over TCP; each test still bounds its own waits.
jest.setTimeout(60_000);
