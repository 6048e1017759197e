package io.bulkexport.records;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.RecordTransform;
import net.thisptr.jackson.jq.BuiltinFunctionLoader;
import net.thisptr.jackson.jq.JsonQuery;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Version;
import net.thisptr.jackson.jq.Versions;
import net.thisptr.jackson.jq.exception.JsonQueryException;

/**
 * A job's {@code transform:}, a jq program (jackson-jq, jq 1.6 with its built-in functions), compiled once: each
 * record is its input, its outputs are what lands ({@code del(.email)}, {@code select(.country == "US")},
 * {@code .name |= ascii_downcase}).
 */
public final class JqTransform implements RecordTransform {
    private static final Version VERSION = Versions.JQ_1_6;
    /** The built-in functions, loaded once, through jackson-jq's own class loader (an OSGi bundle of its own). */
    private static final Scope BUILT_INS = builtIns();

    private final JsonQuery query;

    private JqTransform(JsonQuery query) {
        this.query = query;
    }

    /** Compiles the program; an error says what jq said of it. */
    public static JqTransform compile(String program) throws JsonQueryException {
        return new JqTransform(JsonQuery.compile(program, VERSION));
    }

    @Override
    public List<JsonNode> apply(JsonNode record) throws JsonQueryException {
        List<JsonNode> out = new ArrayList<>(1);
        query.apply(Scope.newChildScope(BUILT_INS), record, out::add);
        return out;
    }

    private static Scope builtIns() {
        Scope scope = Scope.newEmptyScope();
        BuiltinFunctionLoader.getInstance().loadFunctions(BuiltinFunctionLoader.class.getClassLoader(), VERSION, scope);
        return scope;
    }
}
