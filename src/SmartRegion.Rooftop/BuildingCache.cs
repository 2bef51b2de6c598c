using System.Collections.Concurrent;

namespace SmartRegion.Rooftop;

/// <summary>
/// Per-building values reused by the tiles of a run: a building is the neighbour of up to about five tiles (each tile
/// loads a 150 m buffer), so its roof faces are inferred once instead of five times. Two generations of at most
/// <c>capacity</c> entries each keep memory bounded on a whole region; the values must not be changed by their users.
/// </summary>
public sealed class BuildingCache<T>(int capacity = 200_000) where T : class
{
    private ConcurrentDictionary<long, T> _current = new();
    private ConcurrentDictionary<long, T> _previous = new();
    private readonly Lock _lock = new();

    public T GetOrAdd(long buildingId, Func<T> create)
    {
        if (_current.TryGetValue(buildingId, out var hit))
        {
            return hit;
        }
        if (!_previous.TryGetValue(buildingId, out hit))
        {
            hit = create();
        }
        if (_current.Count >= capacity)
        {
            lock (_lock)
            {
                if (_current.Count >= capacity)
                {
                    _previous = _current;
                    _current = new();
                }
            }
        }
        return _current.GetOrAdd(buildingId, hit);
    }
}
