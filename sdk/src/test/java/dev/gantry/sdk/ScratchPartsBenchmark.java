package dev.gantry.sdk;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class ScratchPartsBenchmark {
    GantryFlags offline;
    CompiledFlag flag;
    FlagContext[] users = new FlagContext[1024];
    Murmur3.Prefix prefix = Murmur3.prefix("new-checkout:");
    java.util.concurrent.atomic.LongAdder adder = new java.util.concurrent.atomic.LongAdder();
    int next;

    @Setup
    public void setUp() {
        String[] countries = {"DE", "FR", "NL"};
        for (int i = 0; i < 1024; i++) {
            users[i] = FlagContext.builder("user-" + i).attribute("country", countries[i % 3])
                    .attribute("app_version", "3." + (2 + i % 5) + "." + (i % 7)).build();
        }
        offline = GantryFlags.offline("production").bootstrap("{\"flags\": [" + TestAllocationFreeEvaluation.GRADUAL + "]}").build();
        flag = FlagSnapshot.of(TestFlagServer.parse("{\"flags\": [" + TestAllocationFreeEvaluation.GRADUAL + "]}"),
                FlagSnapshot.Source.FILE, null, w -> { }).flag("new-checkout");
    }

    int nextUser() { int i = next; next = (i + 1) & 1023; return i; }

    @Benchmark public int murmur() { return Murmur3.hash(prefix, users[nextUser()].userIdUtf8()); }
    @Benchmark public FlagEvaluation compiledEvaluate() { return flag.evaluate(users[nextUser()]); }
    @Benchmark public boolean offlineIsEnabled() { return offline.isEnabled("new-checkout", users[nextUser()], false); }
    @Benchmark public void longAdder() { adder.increment(); }
    @Benchmark public Object attributeLookup() { return users[nextUser()].attribute("country"); }
}
