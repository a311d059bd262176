namespace RobustnessLab.Fooling;

/// <summary>How fooling images are searched for (Nguyen, Yosinski, Clune 2015, arXiv:1412.1897).</summary>
public enum FoolingMethod
{
    /// <summary>Evolution with every pixel a gene (MAP-Elites, polynomial mutation).</summary>
    Direct,

    /// <summary>Evolution of compositional pattern-producing networks (Stanley 2007), rendered to images.</summary>
    Cppn,

    /// <summary>Gradient ascent on the class's log-probability from noise or grey (Simonyan et al. 2013, arXiv:1312.6034).</summary>
    Gradient,
}
